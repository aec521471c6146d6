import { createConnection, createServer, type Socket } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startLeaderLoop, type LeaderLoopOptions } from "./leader";
import { createTestDatabase, type TestDatabase } from "./testing/index";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

/** A log that keeps what it is told. */
function recordingLog() {
  const warnings: string[] = [];
  const infos: string[] = [];
  return { warnings, infos, log: { warn: (_: object, m?: string) => void warnings.push(m ?? ""), info: (_: object, m?: string) => void infos.push(m ?? "") } };
}

function loop(options: Partial<LeaderLoopOptions> & Pick<LeaderLoopOptions, "run" | "lockKey">) {
  return startLeaderLoop({ url: database.url, intervalMs: 20, name: "test job", log: recordingLog().log, ...options });
}

/** A backend ErrorResponse message (severity FATAL). */
function postgresError(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`);
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

/** A TCP proxy in front of the test Postgres that can go down (dropping every connection) and come back. */
async function startProxy(target: URL, downMode: "fatal" | "drop") {
  const sockets = new Set<Socket>();
  let up = true;
  let refused = 0;
  const server = createServer((client) => {
    if (!up) {
      refused += 1;
      client.on("error", () => {});
      // What a restarting Postgres answers a new connection: a FATAL error. Or a broken path: accepted, then dropped.
      if (downMode === "fatal") client.once("data", () => client.end(postgresError("57P03", "the database system is starting up")));
      else client.destroy();
      return;
    }
    const upstream = createConnection(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    refused: () => refused,
    down() {
      up = false;
      for (const s of sockets) s.destroy();
    },
    up: () => void (up = true),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("leader loop", () => {
  it("runs the job in one process at a time; when the leader stops, another takes over", async () => {
    const runs = { a: 0, b: 0 };
    const a = loop({ lockKey: 42_001, run: async () => void (runs.a += 1) });
    const b = loop({ lockKey: 42_001, run: async () => void (runs.b += 1) });
    try {
      await expect.poll(() => runs.a + runs.b).toBeGreaterThanOrEqual(5);
      const [leader, follower] = runs.a > 0 ? (["a", "b"] as const) : (["b", "a"] as const);
      expect(runs[follower]).toBe(0);

      await (leader === "a" ? a : b).stop();
      const before = runs[leader];
      await expect.poll(() => runs[follower]).toBeGreaterThanOrEqual(3);
      expect(runs[leader]).toBe(before);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it.each([
    ["a restarting database that refuses connections", "fatal"],
    ["a network path that drops every connection", "drop"],
  ] as const)("%s: one warning, no crash; when it is back the lock is taken again and the job runs", async (_label, mode) => {
    const proxy = await startProxy(new URL(database.url), mode);
    const { log, warnings, infos } = recordingLog();
    let runs = 0;
    const job = startLeaderLoop({ url: proxy.url, lockKey: 42_002, intervalMs: 20, checkTimeoutMs: 300, name: "test job", log, run: async () => void (runs += 1) });
    try {
      await expect.poll(() => runs).toBeGreaterThanOrEqual(2);
      proxy.down();
      // Several attempts come and go while the database is unreachable…
      await expect.poll(() => proxy.refused(), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
      await expect.poll(() => warnings.length, { timeout: 20_000 }).toBe(1);
      expect(warnings).toEqual(["test job failed; retrying every 20 ms"]);

      // …and after it, a new session takes the lock (the old one died with its connection).
      proxy.up();
      const before = runs;
      await expect.poll(() => runs, { timeout: 20_000 }).toBeGreaterThan(before + 2);
      expect(infos).toEqual(["test job: running again"]);
      expect(warnings).toHaveLength(1);
      const holders = await database.sql<{ n: number }[]>`select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = 42002 and granted`;
      expect(holders[0]?.n).toBe(1);
    } finally {
      await job.stop();
      await proxy.close();
    }
  });

  it("stop() frees the lock at once", async () => {
    const job = loop({ lockKey: 42_003, run: async () => {} });
    const held = async () => (await database.sql<{ n: number }[]>`select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = 42003 and granted`)[0]?.n;
    await expect.poll(held).toBe(1);
    await job.stop();
    await expect.poll(held).toBe(0);
  });
});
