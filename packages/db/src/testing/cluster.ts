import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import postgres from "postgres";
import { z } from "zod";

import { startEmbeddedPostgres } from "../embedded";
import { migrateDatabase } from "../migrate";
import { freePort } from "./ports";

export type TestCluster = { adminUrl: string; template: string; stop(): Promise<void> };

const testEnv = z
  .object({ TEST_DATABASE_URL: z.url().optional() })
  .parse({ TEST_DATABASE_URL: process.env.TEST_DATABASE_URL || undefined });

/**
 * The Postgres that a test run uses: TEST_DATABASE_URL if set, else an
 * embedded cluster in a temporary directory, deleted afterwards. A migrated
 * template database is made once; each test file copies it (fast, isolated).
 */
export async function startTestCluster(): Promise<TestCluster> {
  let adminUrl: string;
  let stopServer = async () => {};
  if (testEnv.TEST_DATABASE_URL) {
    adminUrl = testEnv.TEST_DATABASE_URL;
  } else {
    // The server runs as "postgres", which must be able to enter this directory.
    const dir = await mkdtemp(join(tmpdir(), "leadline-test-pg-"));
    await chmod(dir, 0o755);
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, "data"), port: await freePort(), ephemeral: true });
    adminUrl = pg.url;
    stopServer = async () => {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const template = `leadline_tpl_${process.pid}_${Date.now().toString(36)}`;
  const sql = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql.unsafe(`create database ${template}`);
  } finally {
    await sql.end();
  }
  await migrateDatabase(withDatabase(adminUrl, template));
  return {
    adminUrl,
    template,
    async stop() {
      await dropDatabases(adminUrl, `${template}%`).catch(() => {});
      await dropDatabases(adminUrl, `leadline_t_${process.pid}_%`).catch(() => {});
      await stopServer();
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function dropDatabases(adminUrl: string, pattern: string) {
  const sql = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    const rows = await sql<{ datname: string }[]>`select datname from pg_database where datname like ${pattern}`;
    for (const { datname } of rows) await sql.unsafe(`drop database if exists ${datname} with (force)`);
  } finally {
    await sql.end();
  }
}

export { freePort } from "./ports";
