/**
 * `pnpm start`: everything on one machine. Migrates and seeds, starts the API
 * (and, as they exist, the LLM simulator and the Next apps), prints the URLs
 * and the demo login. Ctrl-C stops it all, the embedded PostgreSQL last.
 */
import { join } from "node:path";

import { seedDatabase } from "@leadline/db/seed";

import { startServer } from "./app";
import { resolveDatabaseUrl } from "./database";
import { readEnv } from "./env";
import { runMain } from "./lifecycle";
import { resolveLlmTarget, startLocalSimulator } from "./llm";
import { startNextApp } from "./next-apps";
import { resolveUnleash } from "./unleash";
import { createLogger } from "./logger";
import { loadGeneratedSecrets } from "./secrets";

runMain(async (onStop) => {
  const env = readEnv();
  const log = createLogger(env);
  const database = await resolveDatabaseUrl(env, log);
  onStop(database.stop);
  const generated = await loadGeneratedSecrets(env.DATA_DIR);
  const admin = { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD ?? generated.adminPassword };

  let llm = resolveLlmTarget(env);
  if (llm.demo) {
    const simulator = await startLocalSimulator(env);
    onStop(() => simulator.close());
    llm = resolveLlmTarget(env, simulator.url);
  }

  const unleash = await resolveUnleash(env, log, database.url, generated);
  onStop(unleash.stop);

  const server = await startServer(env, log, {
    databaseUrl: database.url,
    sessionSecret: env.SESSION_SECRET ?? generated.sessionSecret,
    llm,
    unleash: unleash.target,
    workerThread: env.WORKER_THREAD === "1",
  });
  onStop(server.stop);
  await seedDatabase(server.services.db, { demoOrigins: [env.widgetOrigin], admin });

  // The API listens on HOST; the browser reaches it as localhost unless told otherwise.
  const publicApi = `http://localhost:${env.API_PORT}/trpc`;
  const widget = await startNextApp({
    name: "widget",
    dir: join(env.repoRoot, "apps", "widget"),
    port: env.WIDGET_PORT,
    env: { API_URL: publicApi },
    log,
  });
  onStop(widget.stop);
  const adminApp = await startNextApp({
    name: "admin",
    dir: join(env.repoRoot, "apps", "admin"),
    port: env.ADMIN_PORT,
    // WIDGET_URL lets the admin's empty pages link to the widget's demo page.
    env: { API_URL: publicApi, WIDGET_URL: env.widgetOrigin },
    log,
  });
  onStop(adminApp.stop);

  const lines = [
    "",
    "Leadline is running",
    `  Widget demo  ${env.widgetOrigin}/demo   (embed snippet: <script src="${env.widgetOrigin}/loader.js" data-site-key="demo" async></script>)`,
    `  Admin        ${env.adminOrigin}/login   (flags and rollout: ${env.adminOrigin}/flags)`,
    `  API          ${server.url}/trpc   (health: ${server.url}/healthz, ready: ${server.url}/readyz)`,
    `  Model        ${llm.demo ? `offline demo simulator at ${llm.baseURL}` : `${env.OPENAI_MODEL} at ${llm.baseURL ?? "OpenAI"}`}`,
    `  Flags        ${unleash.embedded ? `embedded Unleash at ${unleash.target.url} (login admin / ${generated.unleashAdminPassword})` : `Unleash at ${unleash.target.url}`}`,
    `  Database     ${database.embedded ? `embedded PostgreSQL on port ${env.PG_PORT} (data in ${env.DATA_DIR}/pg)` : "DATABASE_URL"}`,
    `  Admin login  ${admin.email} / ${env.ADMIN_PASSWORD ? "(ADMIN_PASSWORD)" : admin.password}`,
    "",
    "Press Ctrl-C to stop.",
    "",
  ];
  console.log(lines.join("\n"));
});
