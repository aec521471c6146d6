/**
 * The system under test: PostgreSQL (embedded, or a scratch database in
 * DATABASE_URL), the delay proxy in front of it, the LLM simulator and one
 * API server, each a process of its own on loopback ports.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { createDatabase } from "@leadline/db/client";
import { startEmbeddedPostgres } from "@leadline/db/embedded";
import { migrateDatabase } from "@leadline/db/migrate";
import { seedDatabase } from "@leadline/db/seed";
import postgres from "postgres";

import { findFreePort, spawnChild, waitUntil, type Child } from "./children";

export const BENCH_ORIGIN = "http://bench.local";
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export type ModelProfile = { name: string; firstTokenMs: number; msPerToken: number; replyTokens: number };

export type SystemOptions = {
  dbPoolMax: number;
  workerConcurrency: number;
  log: (line: string) => void;
  /** Write a V8 CPU profile of each API server process into this directory (open it in Chrome DevTools). */
  cpuProfileDir?: string;
  /** The background worker in a process of its own (server ROLE=api, worker ROLE=worker) instead of a worker thread of the API's process (ROLE=all). */
  workerProcess?: boolean;
};

export type System = Awaited<ReturnType<typeof startSystem>>;

/**
 * Starts PostgreSQL and the proxy. `startGroup` then gives each group of
 * scenarios a fresh database (migrated, seeded) and a fresh simulator and
 * server: work a group leaves queued cannot slow the next one down.
 */
export async function startSystem(options: SystemOptions) {
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => options.log(`cleanup: ${String(error)}`));
  };
  try {
    const tempDir = await mkdtemp(join(tmpdir(), "leadline-bench-"));
    await chmod(tempDir, 0o755); // the embedded server runs as the postgres user
    cleanups.push(() => rm(tempDir, { recursive: true, force: true }));

    const cluster = await openCluster(tempDir, options.log);
    cleanups.push(cluster.stop);
    const proxy = await startProxyProcess(cluster.port, 0);
    cleanups.push(() => proxy.child.stop(3_000));
    const simulatorPort = await findFreePort();
    const apiPort = await findFreePort();
    let simulator: Child | undefined;
    let server: Child | undefined;
    let worker: Child | undefined;
    let sql: postgres.Sql | undefined;
    let groups = 0;
    const stopGroup = async () => {
      await server?.stop();
      await worker?.stop();
      await simulator?.stop(3_000);
      await sql?.end({ timeout: 5 });
      server = worker = simulator = sql = undefined;
    };
    cleanups.push(stopGroup);

    return {
      /** Direct connection (no proxy) to the current group's database, for the bench's own queries. */
      sql(): postgres.Sql {
        if (!sql) throw new Error("no scenario group started");
        return sql;
      },
      apiUrl: `http://127.0.0.1:${apiPort}`,
      simulatorUrl: `http://127.0.0.1:${simulatorPort}/v1`,
      databaseTarget: cluster.target,
      /** The embedded cluster's data directory (to find its processes); null for DATABASE_URL. */
      postgresDataDir: cluster.dataDir,
      /** A fresh database, and the simulator with this profile and a server in front of both. */
      async startGroup(profile: ModelProfile) {
        await stopGroup();
        const url = await cluster.createDatabase(`leadline_bench_${Date.now()}_${++groups}`);
        await migrateDatabase(url);
        const seeding = createDatabase(url, { max: 1 });
        try {
          await seedDatabase(seeding.db, { demoOrigins: [BENCH_ORIGIN], admin: { email: "bench@bench.local", password: "bench-password" } });
        } finally {
          await seeding.close();
        }
        sql = postgres(url, { max: 2, onnotice: () => {} });
        simulator = spawnChild(REPO_ROOT, "LLM simulator", "packages/llm/src/simulator/main.ts", {
          env: { LLM_SIMULATOR_PORT: String(simulatorPort), SIM_FIRST_TOKEN_MS: String(profile.firstTokenMs), SIM_MS_PER_TOKEN: String(profile.msPerToken), SIM_REPLY_TOKENS: String(profile.replyTokens) },
        });
        await waitUntil(simulator, "listening", async () => (await fetch(`http://127.0.0.1:${simulatorPort}/_sim/stats`)).ok);
        const viaProxy = Object.assign(new URL(url), { hostname: "127.0.0.1", port: String(proxy.port) }).toString();
        const role = options.workerProcess ? "api" : "all";
        if (options.workerProcess) {
          // Its HTTP port only answers /readyz and /metrics here: no client is sent to it.
          const workerPort = await findFreePort();
          worker = spawnChild(REPO_ROOT, "worker", "apps/server/src/main.ts", { env: serverEnv({ apiPort: workerPort, simulatorPort, databaseUrl: viaProxy, dataDir: tempDir, role: "worker", ...options }) });
          await waitUntil(worker, "/readyz", async () => (await fetch(`http://127.0.0.1:${workerPort}/readyz`)).ok, 120_000);
        }
        server = spawnChild(REPO_ROOT, "API server", "apps/server/src/main.ts", {
          env: serverEnv({ apiPort, simulatorPort, databaseUrl: viaProxy, dataDir: tempDir, role, ...options }),
          nodeArgs: options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
        });
        await waitUntil(server, "/readyz", async () => (await fetch(`http://127.0.0.1:${apiPort}/readyz`)).ok, 120_000);
      },
      /** Changes the database round-trip latency live, on open connections too. */
      setDbDelay: (ms: number) => proxy.setDelay(ms),
      serverPid: () => server?.process.pid,
      workerPid: () => worker?.process.pid,
      simulatorPid: () => simulator?.process.pid,
      proxyPid: () => proxy.child.process.pid,
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

function serverEnv(o: { apiPort: number; simulatorPort: number; databaseUrl: string; dataDir: string; dbPoolMax: number; workerConcurrency: number; role: "all" | "api" | "worker" }): Record<string, string> {
  return {
    NODE_ENV: "development",
    ROLE: o.role,
    WORKER_THREAD: "1",
    HOST: "127.0.0.1",
    API_PORT: String(o.apiPort),
    DATABASE_URL: o.databaseUrl,
    OPENAI_BASE_URL: `http://127.0.0.1:${o.simulatorPort}/v1`,
    OPENAI_API_KEY: "bench",
    OPENAI_MODEL: "gpt-4o-mini",
    ALLOW_FLAG_OVERRIDE: "1",
    WIDGET_ORIGIN: BENCH_ORIGIN,
    LOG_LEVEL: "warn",
    DB_POOL_MAX: String(o.dbPoolMax),
    // The bench measures "done"; a long enhancement window would only keep streams open.
    ENHANCEMENT_WINDOW_MS: "1",
    LLM_MAX_OUTPUT_TOKENS: "400",
    WORKER_CONCURRENCY: String(o.workerConcurrency),
    SESSION_SECRET: "bench-session-secret-".padEnd(48, "x"),
    DATA_DIR: o.dataDir,
    // The load comes from one address at hundreds of messages a second: limits and budgets that never refuse it,
    // while every message still goes through their checks (a reservation and its settlement each).
    RATE_LIMIT_SESSION_MESSAGES: "100000",
    RATE_LIMIT_ADDRESS_MESSAGES: "10000000",
    RATE_LIMIT_SITE_MESSAGES: "10000000",
    RATE_LIMIT_ADDRESS_SESSIONS: "100000",
    RATE_LIMIT_SITE_SESSIONS: "10000000",
    SESSION_MESSAGE_CAP: "100000",
    DAILY_BUDGET_USD: "100000",
    MONTHLY_BUDGET_USD: "1000000",
  };
}

type Cluster = { port: number; target: string; dataDir: string | null; createDatabase(name: string): Promise<string>; stop(): Promise<void> };

/** The PostgreSQL server of DATABASE_URL when set (scratch databases, dropped at the end), else an embedded cluster in the temp dir. */
async function openCluster(tempDir: string, log: (line: string) => void): Promise<Cluster> {
  const given = process.env.DATABASE_URL;
  if (given) {
    const admin = postgres(given, { max: 1, onnotice: () => {} });
    const created: string[] = [];
    const base = new URL(given);
    if (!["127.0.0.1", "localhost", "[::1]"].includes(base.hostname)) log(`note: DATABASE_URL is not on loopback (${base.hostname}); the proxy still listens on 127.0.0.1`);
    return {
      port: Number(base.port || 5432),
      target: `scratch databases on ${base.hostname}:${base.port || 5432} (DATABASE_URL)`,
      dataDir: null,
      async createDatabase(name) {
        await admin.unsafe(`create database "${name}"`);
        created.push(name);
        return Object.assign(new URL(base), { pathname: `/${name}` }).toString();
      },
      async stop() {
        for (const name of created) await admin.unsafe(`drop database if exists "${name}" with (force)`);
        await admin.end({ timeout: 5 });
      },
    };
  }
  const port = await findFreePort();
  log(`starting an embedded PostgreSQL on port ${port}`);
  const dataDir = join(tempDir, "pg");
  const pg = await startEmbeddedPostgres({ dataDir, port, ephemeral: true, log });
  return {
    port,
    target: `embedded PostgreSQL (${port}), a fresh database per scenario group`,
    dataDir,
    async createDatabase(name) {
      await pg.ensureDatabase(name);
      return pg.urlFor(name);
    },
    stop: () => pg.stop(),
  };
}

async function startProxyProcess(upstreamPort: number, delayMs: number) {
  const child = spawnChild(REPO_ROOT, "delay proxy", "bench/src/proxy-main.ts", { args: [String(upstreamPort), String(delayMs)], ipc: true });
  const port = await new Promise<number>((resolvePort, reject) => {
    child.process.once("message", (m: { port?: number }) => (m.port ? resolvePort(m.port) : reject(new Error("proxy sent no port"))));
    child.process.once("exit", () => reject(new Error(`delay proxy exited:\n${child.recentOutput()}`)));
  });
  return {
    child,
    port,
    /** Resolves once the proxy confirms the new delay. */
    setDelay: (ms: number) =>
      new Promise<void>((resolveSet) => {
        child.process.once("message", () => resolveSet());
        child.process.send({ delayMs: ms });
      }),
  };
}
