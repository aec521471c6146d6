import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { StartupError } from "./database";

type Log = { info(obj: object | string, msg?: string): void; warn(obj: object | string, msg?: string): void };

/**
 * Runs a built Next.js app (`next start`) as a child process and resolves
 * once it answers HTTP. Its output goes to this process's log; stop() ends it
 * and waits for it to exit.
 */
export async function startNextApp(options: { name: string; dir: string; port: number; env: Record<string, string>; log: Log }) {
  const { name, dir, port, log } = options;
  const nextBin = createRequire(join(dir, "package.json")).resolve("next/dist/bin/next");
  const guard = fileURLToPath(new URL("./child-guard.mjs", import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [guard, nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: dir,
    env: { PATH: process.env.PATH, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const early = await Promise.race([exited.then((code) => ({ code })), new Promise<null>((r) => setTimeout(() => r(null), 250))]);
    if (early) {
      const reason = /EADDRINUSE/.test(output) ? `port ${port} is already in use` : output.trim().split("\n").slice(-3).join(" / ");
      throw new StartupError(`the ${name} app did not start: ${reason || `exit code ${early.code}`}`);
    }
    const up = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new StartupError(`the ${name} app did not answer on ${url} within 60 s`);
    }
  }
  log.info({ app: name, url }, "Next app ready");
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
