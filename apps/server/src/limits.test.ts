import { priceWorstCase } from "@leadline/api/limits/admission";
import { createRateLimiter, type RateLimiter } from "@leadline/api/limits/rate-limits";
import { loadSiteLimits } from "@leadline/api/limits/site-limits";
import { alerts, chatMessages, chatSessions, leads, messageCosts, outboxEvents, rateLimits, refusalCounts, sites, siteSpend } from "@leadline/db/schema";
import type { SendEvent } from "@leadline/validators/chat";
import { count, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { AppLogger } from "./logger";
import { openRateLimitStore } from "./rate-limit-store";
import { adminBrowser, expectCode, startTestStack, TEST_ADMIN, TEST_ORIGIN, type TestStack } from "./testing";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

let counter = 0;
const newId = () => `lim-${Date.now().toString(36)}-${(counter += 1)}`;

/**
 * chat.send as the widget's streaming link sends it, by hand: status and
 * headers are what this file is about. `from` is the client's address (the
 * stack trusts one proxy hop).
 */
async function rawSend(stack: TestStack, token: string, text: string, from = "203.0.113.7") {
  const response = await fetch(`${stack.url}/trpc/chat.send?batch=1`, {
    method: "POST",
    headers: { "content-type": "application/json", "trpc-accept": "application/jsonl", origin: TEST_ORIGIN, "x-forwarded-for": from },
    body: JSON.stringify({ 0: { sessionToken: token, clientMessageId: newId(), text } }),
  });
  const body = await response.text();
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body };
}

async function rawStart(stack: TestStack, from = "203.0.113.7") {
  const response = await fetch(`${stack.url}/trpc/chat.startSession?batch=1`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: TEST_ORIGIN, "x-forwarded-for": from },
    body: JSON.stringify({ 0: { siteKey: "demo" } }),
  });
  const body = (await response.json()) as [{ result?: { data: { sessionToken: string } }; error?: { data: { code: string; refusal?: { reason: string; retryAfterSeconds?: number } } } }];
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: body[0] };
}

async function startSession(stack: TestStack, from?: string) {
  const started = await rawStart(stack, from);
  if (!started.body.result) throw new Error(`startSession failed: ${JSON.stringify(started.body)}`);
  return started.body.result.data.sessionToken;
}

/** Sends through the real client and reads the whole stream. */
async function send(stack: TestStack, token: string, text: string) {
  const events: SendEvent[] = [];
  for await (const event of await stack.client().chat.send.mutate({ sessionToken: token, clientMessageId: newId(), text })) events.push(event);
  return events;
}

const answerCalls = (stack: TestStack) => stack.simulator.stats().requests - stack.simulator.stats().structured;
const countRows = async (stack: TestStack) => {
  const db = stack.database.db;
  const [[m], [s]] = await Promise.all([db.select({ n: count() }).from(chatMessages), db.select({ n: count() }).from(chatSessions)]);
  return { messages: m!.n, sessions: s!.n, modelCalls: answerCalls(stack) };
};

describe("rate limits: 429 with Retry-After, nothing stored, no model call", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        TRUSTED_PROXY_HOPS: "1",
        RATE_LIMIT_SESSION_MESSAGES: "2",
        RATE_LIMIT_ADDRESS_MESSAGES: "3",
        RATE_LIMIT_SITE_MESSAGES: "9",
        RATE_LIMIT_ADDRESS_SESSIONS: "3",
        RATE_LIMIT_SITE_SESSIONS: "20",
      },
    });
  });
  afterAll(() => stack?.stop());

  it("per session: the third message in a minute is refused before anything happens", async () => {
    const token = await startSession(stack, "198.51.100.1");
    expect((await rawSend(stack, token, "hello", "198.51.100.1")).status).toBe(200);
    expect((await rawSend(stack, token, "hello again", "198.51.100.1")).status).toBe(200);
    const before = await countRows(stack);
    const refused = await rawSend(stack, token, "one more", "198.51.100.1");
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    const error = JSON.parse(refused.body) as { error: { data: { code: string; refusal: { reason: string; retryAfterSeconds: number } }; message: string } };
    expect(error.error.data.code).toBe("TOO_MANY_REQUESTS");
    expect(error.error.data.refusal).toEqual({ reason: "rate_limited", retryAfterSeconds: Number(refused.retryAfter) });
    expect(error.error.message).toMatch(/wait \d+ s/);
    expect(await countRows(stack)).toEqual(before);

    // Batched with another call, the send is refused inside the stream (its headers are gone by then): still a 429, never a 500.
    const batched = await fetch(`${stack.url}/trpc/chat.send,chat.feedback?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json", "trpc-accept": "application/jsonl", origin: TEST_ORIGIN, "x-forwarded-for": "198.51.100.1" },
      body: JSON.stringify({ 0: { sessionToken: token, clientMessageId: newId(), text: "batched" }, 1: { sessionToken: token, messageId: "not-a-uuid", rating: "up" } }),
    });
    const streamed = await batched.text();
    expect(streamed).toContain('"code":"TOO_MANY_REQUESTS"');
    expect(streamed).not.toContain("INTERNAL_SERVER_ERROR");
    expect(await countRows(stack)).toEqual(before);
  });

  it("per address: sessions from one address share its message limit; another address is not affected", async () => {
    const a = await startSession(stack, "198.51.100.2");
    const b = await startSession(stack, "198.51.100.2");
    expect((await rawSend(stack, a, "one", "198.51.100.2")).status).toBe(200);
    expect((await rawSend(stack, a, "two", "198.51.100.2")).status).toBe(200);
    expect((await rawSend(stack, b, "three", "198.51.100.2")).status).toBe(200);
    const before = await countRows(stack);
    expect((await rawSend(stack, b, "four", "198.51.100.2")).status).toBe(429);
    expect(await countRows(stack)).toEqual(before);
    const elsewhere = await startSession(stack, "198.51.100.3");
    expect((await rawSend(stack, elsewhere, "from elsewhere", "198.51.100.3")).status).toBe(200);
  });

  it("per address: starting sessions, 429 with nothing stored", async () => {
    for (let i = 0; i < 3; i += 1) expect((await rawStart(stack, "198.51.100.9")).status).toBe(200);
    const before = await countRows(stack);
    const refused = await rawStart(stack, "198.51.100.9");
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body.error?.data.refusal?.reason).toBe("rate_limited");
    expect(await countRows(stack)).toEqual(before);
  });

  it("per site: the site's whole traffic, over every address, and each refusal counted for the dashboard and /metrics", async () => {
    // The site has counted 9 messages in this file's minute, refused and batched ones too (9 allowed): every address is refused now.
    const token = await startSession(stack, "198.51.100.20");
    const before = await countRows(stack);
    expect((await rawSend(stack, token, "hello", "198.51.100.20")).status).toBe(429);
    expect(await countRows(stack)).toEqual(before);

    await stack.services.refusals.flush();
    const [{ n } = { n: 0 }] = await stack.database.db
      .select({ n: sql<number>`sum(${refusalCounts.count})::int` })
      .from(refusalCounts)
      .where(eq(refusalCounts.reason, "rate_limited"));
    expect(n).toBeGreaterThanOrEqual(4);
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toMatch(/leadline_chat_refusals_total\{reason="rate_limited",rule="send-site"\} [1-9]/);
    expect(metrics).toMatch(/leadline_chat_refusals_total\{reason="rate_limited",rule="start-address"\} [1-9]/);
  });

  it("a site's own limit replaces the default, at once", async () => {
    const [site] = await stack.database.db.select().from(sites);
    const admin = stack.services;
    await admin.db.update(sites).set({ rateLimits: { siteMessagesPerMinute: 1000, addressMessagesPerMinute: 1000 } }).where(eq(sites.id, site!.id));
    await admin.pipeline.cache.invalidate("siteLimits", site!.organizationId, site!.id);
    const token = await startSession(stack, "198.51.100.30");
    expect((await rawSend(stack, token, "now allowed", "198.51.100.30")).status).toBe(200);
  });
});

describe("the per-session message cap", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { SESSION_MESSAGE_CAP: "2" } });
  });
  afterAll(() => stack?.stop());

  it("refuses the message past the cap with a clear reason, storing nothing", async () => {
    const token = (await stack.client().chat.startSession.mutate({ siteKey: "demo" })).sessionToken;
    await send(stack, token, "one");
    await send(stack, token, "two");
    const before = await countRows(stack);
    const error = await expectCode(send(stack, token, "three"), "FORBIDDEN");
    expect(error.message).toMatch(/limit of 2 messages/);
    expect((error.data as { refusal?: { reason: string } }).refusal?.reason).toBe("session_cap");
    expect(await countRows(stack)).toEqual(before);
  });
});

describe("spend budgets: reserve the worst case, settle with real usage", () => {
  let stack: TestStack;
  let site: typeof sites.$inferSelect;
  let worstCase: number;
  beforeAll(async () => {
    stack = await startTestStack();
    [site] = (await stack.database.db.select().from(sites)) as [typeof sites.$inferSelect];
    const limits = await loadSiteLimits(stack.services, site.organizationId, site.id);
    worstCase = await priceWorstCase(stack.services, limits!, "How much is it?");
  });
  afterAll(() => stack?.stop());

  const setDailyBudget = async (usd: string | null) => {
    await stack.database.db.update(sites).set({ dailyBudgetUsd: usd }).where(eq(sites.id, site.id));
    await stack.services.pipeline.cache.invalidate("siteLimits", site.organizationId, site.id);
  };

  it("settle-up: after answers, the day's spend is exactly the stored costs and nothing stays reserved", async () => {
    const token = (await stack.client().chat.startSession.mutate({ siteKey: "demo" })).sessionToken;
    for (const text of ["Hi, what do you offer?", "How much is it for 20 seats?", "Can we start in March?"]) await send(stack, token, text);
    await expect
      .poll(async () => (await stack.database.db.select({ n: count() }).from(messageCosts))[0]!.n, { timeout: 15_000 })
      .toBe(3);
    const [costs] = await stack.database.db.select({ usd: sql<string>`sum(${messageCosts.costUsd})::numeric(14,8)::text` }).from(messageCosts);
    // The process holds a lease on the day's budget (limits/spend-ledger.ts) and records spend every second; released, nothing stays reserved.
    await stack.services.spend.flush({ release: true });
    await expect
      .poll(async () => (await stack.database.db.select().from(siteSpend).where(eq(siteSpend.siteId, site.id)))[0], { timeout: 10_000 })
      .toMatchObject({ spentUsd: costs!.usd, reservedUsd: "0.00000000" });
    expect(Number(costs!.usd)).toBeGreaterThan(0);
    expect(Number(costs!.usd)).toBeLessThan(3 * worstCase); // real usage, not the worst case
  });

  it("two messages at once when the budget fits one worst case: one is answered, the other is refused with 402", async () => {
    await stack.database.db.delete(siteSpend);
    await setDailyBudget((worstCase * 1.5).toFixed(4));
    const tokens = await Promise.all([0, 1].map(async () => (await stack.client().chat.startSession.mutate({ siteKey: "demo" })).sessionToken));
    const before = await countRows(stack);
    const outcomes = await Promise.all(tokens.map((t) => rawSend(stack, t, "How much is it?")));
    expect(outcomes.map((o) => o.status).sort()).toEqual([200, 402]);
    const after = await countRows(stack);
    expect(after.messages - before.messages).toBe(2); // one question, one answer
    expect(after.modelCalls - before.modelCalls).toBe(1);
  });

  it("budget spent: nothing stored, no model call, the team told once a day, and the contact form stores the lead", async () => {
    await setDailyBudget("0.0001"); // below one message's worst case
    const client = stack.client();
    const { sessionToken } = await client.chat.startSession.mutate({ siteKey: "demo" });
    const before = await countRows(stack);
    for (let i = 0; i < 3; i += 1) {
      const error = await expectCode(send(stack, sessionToken, "Can you help me?"), "PAYMENT_REQUIRED");
      expect((error.data as { refusal?: { reason: string } }).refusal?.reason).toBe("budget_exhausted");
    }
    expect(await countRows(stack)).toEqual(before);

    const open = await stack.database.db.select().from(alerts).where(eq(alerts.rule, "budget_exhausted"));
    expect(open).toHaveLength(1);
    expect(open[0]!.endedAt).toBeNull();
    const exhausted = await stack.database.db.select().from(outboxEvents).where(eq(outboxEvents.type, "budget.exhausted"));
    expect(exhausted).toHaveLength(1);
    // Told once: the refusal in the test before reported it; these three did not again.
    expect(exhausted[0]!.payload).toMatchObject({ siteId: site.id, alertId: open[0]!.id });

    await client.chat.leaveContact.mutate({ sessionToken, name: "Ana Silva", email: "Ana@Globex.example", note: "Need 20 seats by March" });
    const lead = (await stack.database.db.select().from(leads)).find((l) => l.contactInfo.email === "ana@globex.example");
    expect(lead?.contactInfo.name).toBe("Ana Silva");
    expect(lead).toMatchObject({ status: "engaged", signals: { need: "Need 20 seats by March" } });
    const captured = await stack.database.db.select().from(outboxEvents).where(eq(outboxEvents.type, "lead.captured"));
    expect(captured.some((e) => e.payload.leadId === lead!.id && e.payload.source === "contact_form")).toBe(true);
    expect(await countRows(stack)).toEqual(before); // the form stores a lead, not a message, and calls no model
    await setDailyBudget(null);
  });

  it("a long conversation: each prompt carries the newest history that fits the token budget, not every message", async () => {
    const token = (await stack.client().chat.startSession.mutate({ siteKey: "demo" })).sessionToken;
    const long = (n: number) => `Question ${n}: ${"We are comparing tools for our sales team and need details on pricing. ".repeat(48)}`.slice(0, 3_500);
    const prompts: number[] = [];
    for (let n = 1; n <= 8; n += 1) {
      const done = (await send(stack, token, long(n))).find((e) => e.type === "done");
      prompts.push(done?.type === "done" ? done.usage.promptTokens : -1);
    }
    // Whole, the eighth prompt would hold seven earlier questions of ~875 tokens each (the simulator counts 4 characters a token).
    expect(prompts[1]).toBeGreaterThan(prompts[0]!);
    expect(Math.max(...prompts)).toBeLessThan(5_000);
    expect(prompts[7]).toBeLessThan(prompts[0]! + 4_000);
  });

  it("a budget of 0 switches the model off without reserving anything", async () => {
    await setDailyBudget("0");
    await stack.database.db.delete(siteSpend);
    const { sessionToken } = await stack.client().chat.startSession.mutate({ siteKey: "demo" });
    await expectCode(send(stack, sessionToken, "Hello?"), "PAYMENT_REQUIRED");
    expect(await stack.database.db.select().from(siteSpend)).toEqual([]);
    await setDailyBudget(null);
  });
});

describe("the limiter's counters are shared by every instance", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  const rule = { name: `shared-${Date.now()}`, points: 3, durationSeconds: 60 };
  const hitsFrom = async (limiters: RateLimiter[], n: number) => {
    const outcomes = [];
    for (let i = 0; i < n; i += 1) {
      const instance = limiters[i % limiters.length]!;
      outcomes.push(await instance.consume([{ rule, key: "session-1" }]));
      // A hit admitted from what the store said last is counted there in the background: landed before the next visitor's.
      await instance.settled();
    }
    return outcomes.map((o) => (o === null ? "ok" : "refused"));
  };

  it("in Postgres, when the deployment has no Redis", async () => {
    const instances = [createRateLimiter({ kind: "postgres", db: stack.database.db }), createRateLimiter({ kind: "postgres", db: stack.database.db })];
    expect(await hitsFrom(instances, 5)).toEqual(["ok", "ok", "ok", "refused", "refused"]);
  });

  it("in Postgres, a burst of sends at once on a new session is admitted exactly up to its limit", async () => {
    const perSession = { name: `burst-${Date.now()}`, points: 10, durationSeconds: 60 };
    const limiter = createRateLimiter({ kind: "postgres", db: stack.services.db });
    limiter.assumeUnused([{ rule: perSession, key: "s" }]);
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => limiter.consume([{ rule: perSession, key: "s" }])));
    await limiter.settled();
    expect(outcomes.filter((o) => o === null)).toHaveLength(10);
    const [row] = await stack.database.db.select().from(rateLimits).where(eq(rateLimits.key, `rl:${perSession.name}:s`));
    expect(row?.points).toBe(200); // every hit counted, the refused ones too, as the library counts them
  });

  it("in Postgres, a turn's background counts go as one statement and land as the library's own consume counts them", async () => {
    const wide = { name: `batched-${Date.now()}`, points: 100, durationSeconds: 60 };
    // The same rule with a site's own limit: another limiter, counting the same keys.
    const widened = { ...wide, points: 200 };
    const statements: string[] = [];
    const limiter = createRateLimiter({ kind: "postgres", db: stack.services.db });
    for (const key of ["a", "b"]) expect(await limiter.consume([{ rule: wide, key }, { rule: widened, key }])).toBeNull(); // asked synchronously: keys not seen yet
    const options = stack.services.sql.options as { debug?: unknown };
    const debug = options.debug;
    options.debug = (_connection: number, query: string) => void statements.push(query);
    try {
      for (let i = 0; i < 5; i += 1) for (const key of ["a", "b"]) expect(await limiter.consume([{ rule: wide, key }, { rule: widened, key }])).toBeNull();
      await limiter.settled();
    } finally {
      options.debug = debug;
    }
    // Two sessions × two limiters, five hits each: one statement.
    expect(statements.filter((q) => q.includes("rate_limits"))).toHaveLength(1);
    const rows = await stack.database.db.select().from(rateLimits).where(inArray(rateLimits.key, [`rl:${wide.name}:a`, `rl:${wide.name}:b`]));
    expect(rows.map((r) => [r.key, r.points]).sort()).toEqual([
      [`rl:${wide.name}:a`, 12],
      [`rl:${wide.name}:b`, 12],
    ]);
  });

  it("in Redis, and while Redis is unreachable each instance still limits on its own", async () => {
    const log = { warn() {}, info() {} } as unknown as AppLogger;
    const stores = [openRateLimitStore(REDIS_URL, stack.database.db, log), openRateLimitStore(REDIS_URL, stack.database.db, log)];
    try {
      // Until its connection is up an instance counts alone (as it does during an outage, below).
      await expect.poll(() => stores.every((s) => s.store.kind === "redis" && s.store.client.status === "ready")).toBe(true);
      const instances = stores.map((s) => createRateLimiter(s.store));
      expect(await hitsFrom(instances, 5)).toEqual(["ok", "ok", "ok", "refused", "refused"]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    const down = openRateLimitStore("redis://127.0.0.1:1", stack.database.db, log);
    try {
      expect(await hitsFrom([createRateLimiter(down.store)], 4)).toEqual(["ok", "ok", "ok", "refused"]);
    } finally {
      await down.close();
    }
  });
});

describe("an admin sets a site's limits, budgets and origins", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  async function signedIn() {
    const browser = adminBrowser(stack.url, "http://localhost:3001", TEST_ADMIN);
    await browser.logIn();
    return browser.client;
  }

  it("saves its own limits and budgets, which then apply; empty fields keep the deployment's defaults", async () => {
    const admin = await signedIn();
    const [site] = await admin.sites.list.query();
    await admin.sites.update.mutate({ id: site!.id, changes: { rateLimits: { sessionMessagesPerMinute: 4 }, dailyBudgetUsd: 2.5, monthlyBudgetUsd: null } });
    const limits = await admin.sites.limits.query({ id: site!.id });
    expect(limits.own).toEqual({ rateLimits: { sessionMessagesPerMinute: 4 }, dailyBudgetUsd: "2.5000", monthlyBudgetUsd: null });
    expect(limits.effective.rateLimits.sessionMessagesPerMinute).toBe(4);
    expect(limits.effective.rateLimits.addressMessagesPerMinute).toBe(limits.defaults.addressMessagesPerMinute);
    expect(limits.effective).toMatchObject({ dailyBudgetUsd: 2.5, monthlyBudgetUsd: limits.defaults.monthlyBudgetUsd });
    expect(limits.spend).toEqual({ todaySpentUsd: "0", todayReservedUsd: "0", monthSpentUsd: "0" });
  });

  it("stores origins as browsers send them, and refuses what is not an origin", async () => {
    const admin = await signedIn();
    const [site] = await admin.sites.list.query();
    const saved = await admin.sites.update.mutate({ id: site!.id, changes: { allowedOrigins: ["https://Shop.Example:443/", "http://localhost:8080"] } });
    expect(saved.allowedOrigins).toEqual(["https://shop.example", "http://localhost:8080"]);
    for (const bad of ["https://shop.example/path", "ftp://shop.example", "https://shop.example/?q=1", "shop.example"]) {
      await expectCode(admin.sites.update.mutate({ id: site!.id, changes: { allowedOrigins: [bad] } }), "BAD_REQUEST");
    }
    const [after] = await stack.database.db.select().from(sites).where(eq(sites.id, site!.id));
    expect(after!.allowedOrigins).toEqual(["https://shop.example", "http://localhost:8080"]);
  });
});
