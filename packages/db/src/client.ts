import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";

import * as schema from "./schema/index";

export type PoolOptions = {
  /** Connections in the pool (plan 2.3: 20). */
  max?: number;
  /** Seconds to wait for a connection before failing: short, so a dead database fails fast. */
  connectTimeoutSeconds?: number;
  /** Seconds an idle connection is kept. */
  idleTimeoutSeconds?: number;
  /** Seconds after which a connection is replaced, whatever it is doing. */
  maxLifetimeSeconds?: number;
  /**
   * Named prepared statements for drizzle's queries (see preparing()). Off
   * behind a pooler that cannot keep them, e.g. PgBouncer in transaction mode.
   */
  prepare?: boolean;
};

export const defaultPoolOptions = {
  max: 20,
  connectTimeoutSeconds: 5,
  idleTimeoutSeconds: 30,
  maxLifetimeSeconds: 3600,
  prepare: true,
} satisfies Required<PoolOptions>;

export function createDatabase(url: string, options: PoolOptions = {}) {
  const o = { ...defaultPoolOptions, ...options };
  const sql = postgres(url, {
    max: o.max,
    connect_timeout: o.connectTimeoutSeconds,
    idle_timeout: o.idleTimeoutSeconds,
    max_lifetime: o.maxLifetimeSeconds,
    // Off: postgres.js's own tagged queries are unprepared too, not only drizzle's.
    prepare: o.prepare,
    onnotice: () => {},
    connection: { application_name: "leadline" },
  });
  const db = drizzle(o.prepare ? preparing(sql) : sql, { schema, casing: "snake_case" });
  return {
    db,
    sql,
    /** Waits for running queries, then closes every connection. */
    close: (timeoutSeconds = 5) => sql.end({ timeout: timeoutSeconds }),
  };
}

/**
 * drizzle runs its queries through postgres.js's unsafe() unprepared, and an
 * unprepared query with parameters costs two round trips (describe, then
 * execute). Prepared, it costs one after its first use on a connection: half
 * the latency of every query to a remote database. This gives drizzle a view
 * of the client whose unsafe() prepares, inside transactions too.
 */
function preparing<T extends postgres.Sql>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        // Without parameters postgres.js uses the simple protocol: one round trip already, and several statements in one string still work.
        return (query: string, params?: unknown[], options?: object) => target.unsafe(query, params as never, params?.length ? { ...options, prepare: true } : options);
      }
      if (property === "begin" || property === "savepoint") {
        return (...args: unknown[]) => {
          const body = args.pop() as (tx: postgres.Sql) => unknown;
          const method = (target as unknown as Record<string, (...a: unknown[]) => unknown>)[property]!;
          return method(...args, (tx: postgres.Sql) => body(preparing(tx)));
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/**
 * Runs `run` once on each of `count` connections of the pool (opening them
 * as needed), each with a drizzle handle bound to that connection: what it
 * runs is prepared there, so the statements of a visitor's path can be
 * prepared ahead of the first visitor. A failure of `run` is ignored.
 */
export async function onEachConnection(sql: postgres.Sql, count: number, run: (db: Database) => Promise<unknown>): Promise<void> {
  const reserved = await Promise.all(Array.from({ length: count }, () => sql.reserve()));
  try {
    // A reserved connection lacks the pool's options, which drizzle reads its type parsers from.
    const withOptions = (connection: postgres.ReservedSql) =>
      new Proxy(connection, { get: (target, property, receiver) => (property === "options" ? sql.options : (Reflect.get(target, property, receiver) as unknown)) });
    await Promise.all(
      reserved.map((connection) => run(drizzle(preparing(withOptions(connection)), { schema, casing: "snake_case" }) as unknown as Database).catch(() => undefined)),
    );
  } finally {
    for (const connection of reserved) connection.release();
  }
}

export type Database = ReturnType<typeof createDatabase>["db"];
export type Sql = ReturnType<typeof createDatabase>["sql"];
/** A database handle or an open transaction: what repositories take. */
export type Executor = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

/** "host:port" of a connection string, for messages (never the password). */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/**
 * One line saying why the database cannot be reached, for start-up errors:
 * "cannot reach PostgreSQL at 127.0.0.1:1/leadline: connection refused".
 */
export function describeConnectionError(url: string, error: unknown): string {
  const e = error as { code?: string; message?: string; errno?: string };
  const reasons: Record<string, string> = {
    ECONNREFUSED: "connection refused (nothing is listening there)",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host name lookup failed",
    CONNECT_TIMEOUT: "connection timed out",
    ETIMEDOUT: "connection timed out",
    EHOSTUNREACH: "host unreachable",
    "28P01": "password authentication failed",
    "28000": "authentication rejected",
    "3D000": "database does not exist",
  };
  const reason = (e.code && reasons[e.code]) ?? e.message ?? String(error);
  return `cannot reach PostgreSQL at ${describeTarget(url)}: ${reason}`;
}

/** Resolves when the database answers a trivial query; rejects with the driver's error. */
export async function ping(sql: Sql): Promise<void> {
  await sql`select 1`;
}

/** Creates database `name` on the server `url` points at, unless it exists. Returns its URL. */
export async function ensureDatabase(url: string, name: string): Promise<string> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await sql.end();
  }
  const target = new URL(url);
  target.pathname = `/${encodeURIComponent(name)}`;
  return target.toString();
}
