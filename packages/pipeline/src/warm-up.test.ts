import { createDatabase, onEachConnection } from "@leadline/db/client";
import { createTestDatabase } from "@leadline/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

import { prepareAnswerPath } from "./warm-up";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

it("prepares the user message's insert and the reply's save on every connection, writing nothing", async () => {
  const pool = createDatabase(database.url, { max: 3 });
  try {
    await onEachConnection(pool.sql, 3, prepareAnswerPath);
    const reserved = await Promise.all([0, 1, 2].map(() => pool.sql.reserve()));
    try {
      for (const connection of reserved) {
        const statements = (await connection`select statement from pg_prepared_statements`).map((r) => String(r.statement));
        expect(statements.some((s) => /insert into chat_messages .*'user'/s.test(s))).toBe(true);
        expect(statements.some((s) => /insert into outbox_events/s.test(s))).toBe(true);
      }
    } finally {
      reserved.forEach((c) => c.release());
    }
    const [{ n }] = (await pool.sql`select (select count(*) from chat_messages) + (select count(*) from outbox_events) as n`) as unknown as [{ n: string }];
    expect(Number(n)).toBe(0);
  } finally {
    await pool.close();
  }
});
