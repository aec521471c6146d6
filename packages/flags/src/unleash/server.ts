import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export type UnleashServerOptions = {
  databaseUrl: string;
  port: number;
  adminToken: string;
  backendToken: string;
  adminPassword: string;
  log: { info(obj: object | string, msg?: string): void; warn(obj: object | string, msg?: string): void };
};

export class UnleashStartError extends Error {}

/**
 * Starts a real Unleash server (unleash-server from npm) on its own database,
 * and resolves once its API answers. The tokens are created on its first
 * start only, so keep them stable between runs.
 */
export async function startUnleashServer(options: UnleashServerOptions) {
  const script = fileURLToPath(new URL("./server-main.mjs", import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      DATABASE_URL: options.databaseUrl,
      DATABASE_SSL: "false",
      UNLEASH_PORT: String(options.port),
      UNLEASH_ADMIN_PASSWORD: options.adminPassword,
      INIT_ADMIN_API_TOKENS: options.adminToken,
      INIT_BACKEND_API_TOKENS: options.backendToken,
      CHECK_VERSION: "false",
      SEND_TELEMETRY: "false",
      LOG_LEVEL: "warn",
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));

  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 120_000; // the first start runs Unleash's own migrations
  for (;;) {
    const early = await Promise.race([exited.then((code) => ({ code })), new Promise<null>((r) => setTimeout(() => r(null), 500))]);
    if (early) {
      const reason = /EADDRINUSE/.test(output) ? `port ${options.port} (UNLEASH_PORT) is already in use` : output.trim().split("\n").slice(-3).join(" / ");
      throw new UnleashStartError(`Unleash did not start: ${reason || `exit code ${early.code}`}`);
    }
    const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (health) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new UnleashStartError(`Unleash did not answer on ${url} within 120 s`);
    }
  }
  options.log.info({ url }, "Unleash ready");
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
