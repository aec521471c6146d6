import { sites } from "@leadline/db/schema";
import { createTestDatabase, type TestDatabase } from "@leadline/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createPipelineCache, type CacheHits } from "./cache";
import { loadTurn } from "./lookups";
import { seedSession } from "./testing";

let database: TestDatabase;
let fixture: Awaited<ReturnType<typeof seedSession>>;
const cache = createPipelineCache({ log: { warn() {}, info() {} } });
beforeAll(async () => {
  database = await createTestDatabase();
  fixture = await seedSession(database);
});
afterAll(async () => {
  await cache.close();
  await database?.drop();
});

const message = () => ({ clientMessageId: `c-${crypto.randomUUID()}`, text: "hello" });

describe("loadTurn", () => {
  it("batched and step by step load the same turn, history without the new message", async () => {
    const first = await loadTurn(database.db, fixture.claims, message(), true);
    const second = await loadTurn(database.db, fixture.claims, message(), false);
    expect(first.session).toEqual(second.session);
    expect(first.history).toEqual([]);
    expect(second.history.map((m) => m.content)).toEqual(["hello"]); // the first message, not the second
    expect(first.inserted?.content).toBe("hello");
  });

  it("with the cache: site config and visitor come from memory after the first message, counted as hits", async () => {
    const first: CacheHits = {};
    await loadTurn(database.db, fixture.claims, message(), false, { cache, hits: first });
    expect(first).toEqual({ visitors: { hits: 0, misses: 1 }, siteConfig: { hits: 0, misses: 1 } });
    const second: CacheHits = {};
    await loadTurn(database.db, fixture.claims, message(), false, { cache, hits: second });
    expect(second).toEqual({ visitors: { hits: 1, misses: 0 }, siteConfig: { hits: 1, misses: 0 } });
  });

  it("a changed site config is served once it is invalidated", async () => {
    await database.db.update(sites).set({ systemPrompt: "Be brief." }).where(eq(sites.id, fixture.claims.siteId));
    const stale = await loadTurn(database.db, fixture.claims, message(), false, { cache, hits: {} });
    expect(stale.session?.systemPrompt).not.toBe("Be brief.");
    await cache.invalidate("siteConfig", fixture.claims.organizationId, fixture.claims.siteId);
    const fresh = await loadTurn(database.db, fixture.claims, message(), false, { cache, hits: {} });
    expect(fresh.session?.systemPrompt).toBe("Be brief.");
  });

  it("an unknown session loads nothing and stores nothing", async () => {
    const turn = await loadTurn(database.db, { ...fixture.claims, sessionId: crypto.randomUUID() }, message(), true);
    expect(turn).toEqual({ session: null, inserted: null, history: [] });
  });
});
