import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { freePort } from "@leadline/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const serverDir = join(dirname(fileURLToPath(import.meta.url)), "..");

type Run = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** Starts `pnpm start`'s entry point and resolves once it prints that it is running. */
async function startAll(env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/start-all.ts"], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not running after 60 s:\n${output}`)), 60_000);
    const check = () => {
      if (output.includes("Press Ctrl-C to stop.")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before it was running:\n${output}`));
    });
  });
  return { child, output: () => output, exited };
}

/** Whether something accepts connections on the port, without sending it a request. */
function listening(port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function postmasterPid(dataDir: string) {
  return Number((await readFile(join(dataDir, "pg", "postmaster.pid"), "utf8")).split("\n")[0]);
}

let dataDir: string;
let env: Record<string, string>;
beforeAll(async () => {
  const parent = await mkdtemp(join(tmpdir(), "leadline-start-"));
  await chmod(parent, 0o755); // the embedded server runs as "postgres" and must enter it
  dataDir = join(parent, "data");
  env = {
    DATA_DIR: dataDir,
    PG_PORT: String(await freePort()),
    API_PORT: String(await freePort()),
    WIDGET_PORT: String(await freePort()),
    ADMIN_PORT: String(await freePort()),
    LLM_SIMULATOR_PORT: String(await freePort()),
    UNLEASH_PORT: String(await freePort()),
    LOG_LEVEL: "info",
  };
});
afterAll(async () => {
  await rm(dirname(dataDir), { recursive: true, force: true });
});

// Each test starts five services (PostgreSQL, Unleash, the simulator, the API and two Next apps) and
// waits up to 60 s for them (startAll): on a busy 2-core machine that alone passed the default 30 s.
describe("pnpm start (embedded)", { timeout: 120_000 }, () => {
  it("starts, answers /readyz, prints URLs and the login; Ctrl-C stops everything, Postgres included", async () => {
    const run = await startAll(env);
    expect(run.output()).toContain("initialising a new PostgreSQL cluster");
    expect(run.output()).toMatch(new RegExp(`API +http://127\\.0\\.0\\.1:${env.API_PORT}/trpc`));
    expect(run.output()).toMatch(/Admin login +admin@demo\.leadline\.test \/ \S{8,}/);
    expect((await fetch(`http://127.0.0.1:${env.API_PORT}/readyz`)).status).toBe(200);
    expect(run.output()).toContain(`Widget demo  http://localhost:${env.WIDGET_PORT}/demo`);
    expect((await fetch(`http://localhost:${env.WIDGET_PORT}/demo`)).status).toBe(200);
    expect((await fetch(`http://localhost:${env.WIDGET_PORT}/loader.js`)).status).toBe(200);
    expect(run.output()).toContain(`Admin        http://localhost:${env.ADMIN_PORT}/login`);
    expect((await fetch(`http://localhost:${env.ADMIN_PORT}/login`)).status).toBe(200);
    expect(run.output()).toMatch(new RegExp(`Flags +embedded Unleash at http://127\\.0\\.0\\.1:${env.UNLEASH_PORT}`));
    expect((await fetch(`http://127.0.0.1:${env.UNLEASH_PORT}/health`)).status).toBe(200);

    const pid = await postmasterPid(dataDir);
    expect(isAlive(pid)).toBe(true);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(isAlive(pid)).toBe(false);
    // The widget and Unleash went down with it.
    await expect(fetch(`http://localhost:${env.WIDGET_PORT}/demo`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${env.UNLEASH_PORT}/health`)).rejects.toThrow();
  });

  it("a second start reuses the data and the same generated login", async () => {
    const first = (await readFile(join(dataDir, "secrets.json"), "utf8")).toString();
    const run = await startAll(env);
    expect(run.output()).not.toContain("initialising a new PostgreSQL cluster");
    expect(run.output()).not.toContain("built index"); // migrations already applied
    expect(await readFile(join(dataDir, "secrets.json"), "utf8")).toBe(first);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("after a kill -9 the leftover postmaster is detected and handled", async () => {
    const killed = await startAll(env);
    const orphan = await postmasterPid(dataDir);
    killed.child.kill("SIGKILL");
    await killed.exited;
    expect(isAlive(orphan)).toBe(true); // what SIGKILL leaves behind
    // The widget's and Unleash's processes notice their parent is gone and end (they would hold their ports).
    // Checked by opening a bare TCP connection: an HTTP poll could keep a kept-alive connection busy and with it the server.
    await expect.poll(() => listening(Number(env.WIDGET_PORT)), { timeout: 15_000 }).toBe(false);
    await expect.poll(() => listening(Number(env.ADMIN_PORT)), { timeout: 15_000 }).toBe(false);
    await expect.poll(() => listening(Number(env.UNLEASH_PORT)), { timeout: 15_000 }).toBe(false);

    const run = await startAll(env);
    expect(run.output()).toContain(`a PostgreSQL from an earlier run (pid ${orphan}) is still running`);
    expect((await fetch(`http://127.0.0.1:${env.API_PORT}/readyz`)).status).toBe(200);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
  });
});
