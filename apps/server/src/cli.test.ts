import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { createTestDatabase, freePort, type TestDatabase } from "@leadline/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const serverDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Runs src/main.ts with the given environment until it exits; returns its code and output. */
function runServer(env: Record<string, string>, timeoutMs = 20_000) {
  return new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: serverDir,
      env: { PATH: process.env.PATH, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("server start-up failures", () => {
  it("DATABASE_URL pointing at nothing: one line naming the host and the cause, exit 1", async () => {
    const port = await freePort();
    const result = await runServer({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/leadline`, API_PORT: String(await freePort()) });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`leadline: cannot reach PostgreSQL at 127.0.0.1:${port}/leadline: connection refused (nothing is listening there)`);
  });

  it("an invalid variable: names it and why, exit 1", async () => {
    const result = await runServer({ API_PORT: "eighty", DATABASE_URL: database.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^leadline: Invalid environment:\n {2}API_PORT: .*"eighty"/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("the API port already in use: names the port, exit 1", async () => {
    const port = await freePort();
    const blocker = createServer().listen(port, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    try {
      const result = await runServer({ API_PORT: String(port), DATABASE_URL: database.url });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`leadline: port ${port} (API_PORT) is already in use; stop what uses it or set API_PORT`);
    } finally {
      blocker.close();
    }
  });
});
