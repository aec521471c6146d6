import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { organizations, sites } from "./schema/index";
import { scopedTo, TenantScopeError } from "./tenant";
import { createTestDatabase, type TestDatabase } from "./testing/index";

let database: TestDatabase;
let orgA: string;
let orgB: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const rows = await database.db
    .insert(organizations)
    .values([
      { name: "A", slug: "a" },
      { name: "B", slug: "b" },
    ])
    .returning();
  orgA = rows[0]!.id;
  orgB = rows[1]!.id;
  const site = { greeting: "hi", systemPrompt: "p", theme: { title: "t", primaryColor: "#000", position: "bottom-right" as const }, qualificationSettings: { qualifiedScore: 60, hotScore: 80 } };
  await database.db.insert(sites).values([
    { ...site, organizationId: orgA, name: "a-site", publicKey: "a-key" },
    { ...site, organizationId: orgB, name: "b-site", publicKey: "b-key" },
  ]);
});
afterAll(() => database.drop());

describe("tenant scope", () => {
  it("returns only the given organization's rows", async () => {
    const rows = await database.db.select().from(sites).where(scopedTo(orgA, sites));
    expect(rows.map((r) => r.publicKey)).toEqual(["a-key"]);
  });

  it("another organization's row is not found even by its own key", async () => {
    const rows = await database.db.select().from(sites).where(scopedTo(orgA, sites, eq(sites.publicKey, "b-key")));
    expect(rows).toEqual([]);
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["an empty string", ""],
    ["a non-UUID", "1 or 1=1"],
  ])("refuses a query with %s as organization, before it reaches the database", (_label, value) => {
    // Building the WHERE clause throws, so no query is ever sent.
    expect(() => database.db.select().from(sites).where(scopedTo(value, sites))).toThrow(TenantScopeError);
  });
});
