/**
 * One API server process (ROLE=api|worker|all). Uses DATABASE_URL, or an
 * embedded PostgreSQL when it is unset. `pnpm start` runs start-all.ts instead.
 */
import { startServer } from "./app";
import { resolveDatabaseUrl } from "./database";
import { readEnv } from "./env";
import { runMain } from "./lifecycle";
import { resolveLlmTarget } from "./llm";
import { createLogger } from "./logger";
import { loadGeneratedSecrets } from "./secrets";

runMain(async (onStop) => {
  const env = readEnv();
  const log = createLogger(env);
  const database = await resolveDatabaseUrl(env, log);
  onStop(database.stop);
  const sessionSecret = env.SESSION_SECRET ?? (await loadGeneratedSecrets(env.DATA_DIR)).sessionSecret;
  const server = await startServer(env, log, {
    databaseUrl: database.url,
    sessionSecret,
    llm: resolveLlmTarget(env),
    unleash: env.UNLEASH_URL && env.UNLEASH_CLIENT_TOKEN ? { url: env.UNLEASH_URL, clientToken: env.UNLEASH_CLIENT_TOKEN, adminToken: env.UNLEASH_ADMIN_TOKEN } : null,
    workerThread: env.WORKER_THREAD === "1",
  });
  onStop(server.stop);
  log.info({ url: server.url, role: env.ROLE }, "Leadline API listening");
});
