import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

import { createDatabase } from "./client";

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");

const MIGRATION_LOCK = 7_261_001;

type Log = (message: string) => void;

/**
 * Brings a database to the current schema: the generated migrations in one
 * transaction (drizzle), then each CONCURRENTLY index on its own, outside any
 * transaction. Safe to run at every start and from several processes: drizzle
 * skips applied migrations, the indexes are IF NOT EXISTS, and an index an
 * interrupted build left invalid is rebuilt.
 */
export async function migrateDatabase(url: string, log: Log = () => {}): Promise<void> {
  // A session-level advisory lock on a connection of its own, so processes
  // starting together migrate one at a time. Taken by polling, not by a
  // blocking pg_advisory_lock(): a statement waiting on the lock holds a
  // snapshot, and CREATE INDEX CONCURRENTLY in the holder would wait for it.
  const lock = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    while (!(await lock<{ ok: boolean }[]>`select pg_try_advisory_lock(${MIGRATION_LOCK}) as ok`)[0]?.ok) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const { db, close } = createDatabase(url, { max: 1 });
    try {
      await migrate(db, { migrationsFolder });
    } finally {
      await close();
    }
    await buildConcurrentIndexes(url, log);
  } finally {
    await lock.end({ timeout: 5 }); // closing the session releases the lock
  }
}

async function buildConcurrentIndexes(url: string, log: Log): Promise<void> {
  const folder = join(migrationsFolder, "concurrent");
  const files = (await readdir(folder)).filter((f) => f.endsWith(".sql")).sort();
  // A connection of its own with no transaction around the statements.
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    for (const file of files) {
      const statement = stripComments(await readFile(join(folder, file), "utf8"));
      const name = /INDEX\s+CONCURRENTLY\s+IF\s+NOT\s+EXISTS\s+(\w+)/i.exec(statement)?.[1];
      if (!name) throw new Error(`${file}: expected one CREATE INDEX CONCURRENTLY IF NOT EXISTS <name>`);
      const [existing] = await sql<{ valid: boolean }[]>`
        select i.indisvalid as valid from pg_index i
        join pg_class c on c.oid = i.indexrelid
        where c.relname = ${name} and c.relnamespace = current_schema()::regnamespace`;
      if (existing?.valid) continue;
      if (existing) {
        log(`index ${name} was left invalid by an interrupted build; rebuilding it`);
        await sql.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
      }
      await sql.unsafe(statement);
      log(`built index ${name}`);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function stripComments(text: string): string {
  return text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n")
    .trim();
}
