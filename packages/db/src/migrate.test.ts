import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { migrateDatabase } from "./migrate";
import { createTestDatabase, type TestDatabase } from "./testing/index";

const PLAN_INDEXES = {
  idx_chat_sessions_visitor_org: { table: "chat_sessions", columns: "(visitor_id, organization_id)" },
  idx_chat_messages_session_created: { table: "chat_messages", columns: "(session_id, created_at DESC)" },
  idx_leads_session_status: { table: "leads", columns: "(session_id, status)" },
  idx_message_costs_org_created: { table: "message_costs", columns: "(organization_id, created_at)" },
  idx_webhook_deliveries_unattempted: { table: "webhook_deliveries", columns: "(created_at) WHERE " },
};

async function planIndexes(sql: postgres.Sql) {
  return sql<{ name: string; table: string; definition: string; valid: boolean }[]>`
    select c.relname as name, t.relname as "table", pg_get_indexdef(i.indexrelid) as definition, i.indisvalid as valid
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
    where c.relname in ${sql(Object.keys(PLAN_INDEXES))} order by c.relname`;
}

describe("migrations", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
  });
  afterAll(() => database.drop());

  it("apply to an empty database and build the plan's indexes, valid", async () => {
    const logged: string[] = [];
    await migrateDatabase(database.url, (m) => logged.push(m));

    const tables = await database.sql<{ tablename: string }[]>`select tablename from pg_tables where schemaname = 'public'`;
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining(["organizations", "sites", "admin_users", "chat_sessions", "chat_messages", "leads", "request_timings"]),
    );

    const indexes = await planIndexes(database.sql);
    expect(indexes).toHaveLength(Object.keys(PLAN_INDEXES).length);
    for (const index of indexes) {
      const expected = PLAN_INDEXES[index.name as keyof typeof PLAN_INDEXES];
      expect(index.table).toBe(expected.table);
      expect(index.definition).toContain(expected.columns);
      expect(index.valid).toBe(true);
    }
    expect(logged.filter((m) => m.startsWith("built index"))).toHaveLength(Object.keys(PLAN_INDEXES).length);
  });

  it("run again: nothing to do, nothing rebuilt", async () => {
    const logged: string[] = [];
    await migrateDatabase(database.url, (m) => logged.push(m));
    expect(logged).toEqual([]);
  });

  it("rebuild an index that an interrupted concurrent build left invalid", async () => {
    // What a cancelled CREATE INDEX CONCURRENTLY leaves behind: the index, marked invalid.
    await database.sql`update pg_index set indisvalid = false where indexrelid = 'idx_leads_session_status'::regclass`;
    const logged: string[] = [];
    await migrateDatabase(database.url, (m) => logged.push(m));
    expect(logged).toEqual([
      "index idx_leads_session_status was left invalid by an interrupted build; rebuilding it",
      "built index idx_leads_session_status",
    ]);
    const indexes = await planIndexes(database.sql);
    expect(indexes.every((i) => i.valid)).toBe(true);
  });

  it("from several processes at once: each migration applied once", async () => {
    const other = await createTestDatabase({ empty: true });
    try {
      await Promise.all([migrateDatabase(other.url), migrateDatabase(other.url), migrateDatabase(other.url)]);
      const [{ count }] = (await other.sql`select count(*)::int as count from drizzle.__drizzle_migrations`) as unknown as [
        { count: number },
      ];
      const [{ files }] = (await database.sql`select count(*)::int as files from drizzle.__drizzle_migrations`) as unknown as [
        { files: number },
      ];
      expect(count).toBe(files);
    } finally {
      await other.drop();
    }
  });
});
