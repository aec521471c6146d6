import { baselineFlags, defaultFlags, staticFlagResolver } from "@leadline/flags/definitions";
import { requestTimings, sites } from "@leadline/db/schema";
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startServer } from "./app";
import { parseEnv } from "./env";
import { createLogger } from "./logger";
import { adminBrowser, startTestStack, TEST_ADMIN, type TestStack } from "./testing";

// Lookups go through the cache when batched queries are off and the cache is on.
const CACHED = { ...defaultFlags(), "pipeline.batched-queries": false };
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

let a: TestStack;
let b: Awaited<ReturnType<typeof startServer>>;
let siteId: string;

beforeAll(async () => {
  a = await startTestStack({ flags: CACHED, env: { REDIS_URL } });
  const env = { ...parseEnv({ LOG_LEVEL: "silent", REDIS_URL, WIDGET_ORIGIN: "http://widget.test" }), API_PORT: 0 };
  b = await startServer(env, createLogger(env, false), {
    databaseUrl: a.database.url,
    sessionSecret: a.services.config.sessionSecret,
    llm: { baseURL: a.simulator.url, apiKey: "test", demo: true },
    flags: staticFlagResolver(CACHED),
  });
  const [site] = await a.database.db.select().from(sites).where(eq(sites.publicKey, "demo"));
  siteId = site!.id;
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

/** What server B's cache holds for the demo site right now (undefined: not cached). A failing loader caches nothing. */
async function cachedOnB() {
  try {
    const { value } = await b.services.pipeline.cache.getWithSource("siteConfig", a.organizationId, siteId, () => Promise.reject(new Error("not cached")));
    return value as { systemPrompt: string } | undefined;
  } catch {
    return undefined;
  }
}

async function chatThroughB(text: string) {
  const { sessionToken } = await a.client().chat.startSession.mutate({ siteKey: "demo" });
  const before = await a.database.db.$count(requestTimings);
  const stream = await fetch(`${b.url}/trpc/chat.send?batch=1`, {
    method: "POST",
    headers: { "content-type": "application/json", "trpc-accept": "application/jsonl", origin: "http://widget.test" },
    body: JSON.stringify({ 0: { sessionToken, clientMessageId: `m-${crypto.randomUUID()}`, text } }),
  });
  expect(await stream.text()).toContain('"done"');
  // Timings are written in batches, shortly after the answer.
  await expect.poll(() => a.database.db.$count(requestTimings)).toBe(before + 1);
  const [row] = await a.database.db.select().from(requestTimings).orderBy(desc(requestTimings.createdAt)).limit(1);
  return row!;
}

describe("two servers, one Postgres and one Redis", () => {
  it("a site config change through one server is seen by the other", async () => {
    const first = await chatThroughB("hello");
    expect(first.cacheHits.siteConfig).toBeDefined();
    await chatThroughB("hello again");
    expect((await cachedOnB())?.systemPrompt).toMatch(/Demo/);

    const admin = adminBrowser(a.url, "http://localhost:3001", TEST_ADMIN);
    await admin.logIn();
    await admin.client.sites.update.mutate({ id: siteId, changes: { systemPrompt: "You are terse." }, reason: "shorter answers" });

    // B drops its copy (pub/sub through Redis), so its next message loads the new config.
    await expect.poll(() => cachedOnB(), { timeout: 2_000 }).toBeUndefined();
    const after = await chatThroughB("and now?");
    expect(after.cacheHits.siteConfig).toEqual({ hits: 0, misses: 1 });
    expect((await cachedOnB())?.systemPrompt).toBe("You are terse.");
  });

  it("with the cache flag off nothing is read from the cache", async () => {
    const off = await startTestStack({ flags: { ...baselineFlags() }, env: { REDIS_URL } });
    try {
      const { sessionToken } = await off.client().chat.startSession.mutate({ siteKey: "demo" });
      const stream = await off.client().chat.send.mutate({ sessionToken, clientMessageId: `m-${crypto.randomUUID()}`, text: "hi" });
      for await (const _ of stream);
      await expect.poll(() => off.database.db.$count(requestTimings)).toBe(1);
      const [row] = await off.database.db.select().from(requestTimings).limit(1);
      expect(row?.cacheHits).toEqual({});
    } finally {
      await off.stop();
    }
  });
});
