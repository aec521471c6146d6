import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDatabase } from "./client";
import { organizations } from "./schema/index";
import { createTestDatabase, type TestDatabase } from "./testing/index";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

/** The statements prepared on the one connection of a single-connection pool. */
async function openPool(prepare?: boolean) {
  const handle = createDatabase(database.url, { max: 1, ...(prepare === undefined ? {} : { prepare }) });
  const prepared = async () => (await handle.sql`select statement from pg_prepared_statements`).map((r) => String(r.statement));
  return { ...handle, prepared };
}

describe("createDatabase", () => {
  it("drizzle's queries with parameters run as prepared statements (one round trip each after the first), in transactions too", async () => {
    const pool = await openPool();
    try {
      await pool.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "prepared-a"));
      await pool.db.transaction(async (tx) => {
        await tx.insert(organizations).values({ name: "P", slug: "prepared-b" });
      });
      await pool.db.execute(sql`select ${"x"}::text as one`);
      await pool.db.execute(sql.raw("select 1; select 2")); // no parameters: the simple protocol, several statements allowed
      const statements = await pool.prepared();
      expect(statements.some((s) => s.includes('from "organizations"') && s.includes('"slug" = $1'))).toBe(true);
      expect(statements.some((s) => s.startsWith('insert into "organizations"'))).toBe(true);
      expect(statements.some((s) => s.includes("$1::text as one"))).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it("prepare: false (for a pooler that cannot keep prepared statements) prepares nothing", async () => {
    const pool = await openPool(false);
    try {
      await pool.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "prepared-c"));
      await pool.sql`select ${"y"}::text as tagged`; // postgres.js's own queries too
      expect((await pool.prepared()).filter((s) => s.includes('"organizations"') || s.includes("as tagged"))).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
