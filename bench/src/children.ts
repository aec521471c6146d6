/**
 * Child processes of the bench: each runs under the server's child guard, so
 * it ends when the bench does, even when the bench is killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";

export type Child = {
  name: string;
  process: ChildProcess;
  /** The last lines it printed, for error messages. */
  recentOutput(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
};

export function spawnChild(repoRoot: string, name: string, script: string, options: { env?: Record<string, string>; args?: string[]; nodeArgs?: string[]; ipc?: boolean } = {}): Child {
  const guard = join(repoRoot, "apps/server/src/child-guard.mjs");
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", guard, script, ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe", ...(options.ipc ? (["ipc"] as const) : [])],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split("\n").filter(Boolean));
    if (lines.length > 30) lines.splice(0, lines.length - 30);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    name,
    process: child,
    recentOutput: () => lines.join("\n"),
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `check` until it returns true; fails with the child's last output when it exits or time runs out. */
export async function waitUntil(child: Child, what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited (code ${child.process.exitCode}) before ${what}:\n${child.recentOutput()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.name}: no ${what} within ${timeoutMs} ms:\n${child.recentOutput()}`);
}

/** A port nothing listens on right now (loopback). */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
