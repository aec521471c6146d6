import { signSessionToken } from "@leadline/api/session-token";
import { chatMessages, chatSessions, messageCosts, requestTimings, sites, visitors } from "@leadline/db/schema";
import type { SendEvent } from "@leadline/validators/chat";
import { count, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { expectCode, startTestStack, type TestStack } from "./testing";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ env: { LLM_FIRST_TOKEN_TIMEOUT_MS: "1500", LLM_IDLE_TIMEOUT_MS: "800", MAX_MESSAGE_CHARS: "200" } });
});
afterAll(() => stack?.stop());
afterEach(() => stack.simulator.clearFault());

let counter = 0;
const newId = () => `msg-${Date.now().toString(36)}-${(counter += 1)}`;

/** Sends and collects every event with its arrival time. */
async function send(token: string, text: string, clientMessageId = newId(), signal?: AbortSignal) {
  const stream = await stack.client().chat.send.mutate({ sessionToken: token, clientMessageId, text }, { signal });
  const events: (SendEvent & { at: number })[] = [];
  for await (const event of stream) events.push({ ...event, at: performance.now() });
  return events;
}

/** The event that ended the answer (an "enhanced" event may follow it). */
const final = (events: SendEvent[]) => events.filter((e) => e.type !== "enhanced").at(-1);

const startSession = () => stack.client().chat.startSession.mutate({ siteKey: "demo" });
const tableCounts = async () => {
  const db = stack.database.db;
  const [[v], [s], [m]] = await Promise.all([
    db.select({ n: count() }).from(visitors),
    db.select({ n: count() }).from(chatSessions),
    db.select({ n: count() }).from(chatMessages),
  ]);
  return { visitors: v!.n, sessions: s!.n, messages: m!.n };
};

/** Model calls for answers: the background's structured extraction (score-in-detail) may run at any time and is not counted. */
const answerCalls = () => stack.simulator.stats().requests - stack.simulator.stats().structured;
const answersInFlight = () => stack.simulator.stats().inFlight - stack.simulator.stats().structuredInFlight;

describe("chat.startSession", () => {
  it("returns a signed session, greeting and theme for an allowed origin", async () => {
    const session = await startSession();
    expect(session.sessionToken).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(session.greeting).toMatch(/Demo/);
    expect(session.theme.primaryColor).toMatch(/^#/);
    expect(session.demoModel).toBe(true);
  });

  it("unknown site key: NOT_FOUND; a browser page other than the widget's: FORBIDDEN; nothing written", async () => {
    const before = await tableCounts();
    await expectCode(stack.client().chat.startSession.mutate({ siteKey: "nope" }), "NOT_FOUND");
    await expectCode(stack.client("https://evil.example").chat.startSession.mutate({ siteKey: "demo" }), "FORBIDDEN");
    expect(await tableCounts()).toEqual(before);
  });

  it("the call comes from the widget's iframe: the site's allowed origins (the customer pages) need not list the widget", async () => {
    const db = stack.database.db;
    const [demo] = await db.select().from(sites).where(eq(sites.publicKey, "demo"));
    await db.update(sites).set({ allowedOrigins: ["https://customer.example"] }).where(eq(sites.publicKey, "demo"));
    try {
      await expect(startSession()).resolves.toMatchObject({ greeting: expect.stringMatching(/Demo/) });
      // The customer's page itself never calls the API: the widget does.
      await expectCode(stack.client("https://customer.example").chat.startSession.mutate({ siteKey: "demo" }), "FORBIDDEN");
    } finally {
      await db.update(sites).set({ allowedOrigins: demo!.allowedOrigins }).where(eq(sites.publicKey, "demo"));
    }
  });
});

describe("chat.embedPolicy", () => {
  it("tells the widget's server which pages may frame a site's chat; unknown site: NOT_FOUND", async () => {
    const db = stack.database.db;
    const [demo] = await db.select().from(sites).where(eq(sites.publicKey, "demo"));
    await expect(stack.client().chat.embedPolicy.query({ siteKey: "demo" })).resolves.toEqual({ allowedOrigins: demo!.allowedOrigins });
    await expectCode(stack.client().chat.embedPolicy.query({ siteKey: "nope" }), "NOT_FOUND");
    await expectCode(stack.client("https://evil.example").chat.embedPolicy.query({ siteKey: "demo" }), "FORBIDDEN");
  });
});

describe("chat.send", () => {
  it("streams the answer: ack, tokens arriving over time, done; usage, cost and timings stored", async () => {
    stack.simulator.setProfile({ firstTokenMs: 100, msPerToken: 25 });
    const { sessionToken } = await startSession();
    const events = await send(sessionToken, "Hi there, I'm Ana from Globex");
    stack.simulator.setProfile({ firstTokenMs: 50, msPerToken: 5 });

    expect(events[0]?.type).toBe("ack");
    const tokens = events.filter((e) => e.type === "token");
    expect(tokens.length).toBeGreaterThan(5);
    // Streaming is real: the first token arrived well before the last one was even sent.
    const spread = tokens.at(-1)!.at - tokens[0]!.at;
    expect(spread).toBeGreaterThan(0.3 * 25 * (tokens.length - 1));
    const done = events.find((e) => e.type === "done")!;
    if (done.type !== "done") throw new Error(`expected done, got ${JSON.stringify(done)}`);
    expect(done.status).toBe("complete");
    expect(done.text).toBe(tokens.map((t) => (t.type === "token" ? t.text : "")).join(""));
    expect(done.usage.completionTokens).toBeGreaterThan(0);
    expect(done.usage.estimated).toBe(false);
    expect(done.cost.priced).toBe(true);
    expect(Number(done.cost.usd)).toBeGreaterThan(0);

    const db = stack.database.db;
    const [stored] = await db.select().from(chatMessages).where(eq(chatMessages.id, done.messageId));
    expect(stored).toMatchObject({ role: "assistant", status: "complete", content: done.text, model: "gpt-4o-mini", completionTokens: done.usage.completionTokens });
    // The cost row is written by a background stage: it follows shortly after the answer.
    await expect
      .poll(async () => (await db.select().from(messageCosts).where(eq(messageCosts.messageId, done.messageId)))[0])
      .toMatchObject({ priced: true, costUsd: done.cost.usd });
    await expect.poll(async () => (await db.select().from(requestTimings).where(eq(requestTimings.messageId, done.messageId)))[0]).toMatchObject({
      timeToFirstTokenMs: expect.any(Number),
      totalMs: expect.any(Number),
      outcome: "complete",
    });
  });

  it("a fast model's tokens reach the visitor joined, at most one event per 50 ms window, the text whole", async () => {
    stack.simulator.setProfile({ firstTokenMs: 50, msPerToken: 2, replyTokens: 120 });
    const { sessionToken } = await startSession();
    const events = await send(sessionToken, "Hi, I'm Lin from Initech");
    stack.simulator.setProfile({ firstTokenMs: 50, msPerToken: 5, replyTokens: undefined });

    const done = events.find((e) => e.type === "done");
    if (done?.type !== "done") throw new Error(`expected done, got ${JSON.stringify(final(events))}`);
    const tokens = events.filter((e) => e.type === "token");
    expect(done.usage.completionTokens).toBeGreaterThanOrEqual(100);
    // 120 model tokens over ~240 ms: a handful of events (the first alone, then one per window), not one per token.
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.length).toBeLessThan(done.usage.completionTokens / 4);
    expect(tokens.map((t) => (t.type === "token" ? t.text : "")).join("")).toBe(done.text);
    // The first token was not held back for a window: it left long before the rest.
    expect(tokens[0]!.type === "token" && tokens[0]!.text.length).toBeLessThan(done.text.length / 4);
  });

  it("the same clientMessageId again: no second message, no second model call", async () => {
    const { sessionToken } = await startSession();
    const id = newId();
    const first = await send(sessionToken, "What does it cost?", id);
    const requests = answerCalls();
    const messages = (await tableCounts()).messages;
    const again = await send(sessionToken, "What does it cost?", id);
    expect(again[0]).toMatchObject({ type: "ack", replay: true });
    expect(final(again)).toMatchObject({ type: "done", messageId: (final(first) as { messageId: string }).messageId });
    expect(answerCalls()).toBe(requests);
    expect((await tableCounts()).messages).toBe(messages);
  });

  it("two concurrent sends of one message: one model call, the same answer for both", async () => {
    stack.simulator.setProfile({ firstTokenMs: 300, msPerToken: 10 });
    const { sessionToken } = await startSession();
    const id = newId();
    const requests = answerCalls();
    const [a, b] = await Promise.all([send(sessionToken, "Tell me more", id), send(sessionToken, "Tell me more", id)]);
    stack.simulator.setProfile({ firstTokenMs: 50, msPerToken: 5 });
    expect(answerCalls()).toBe(requests + 1);
    expect(final(a)).toMatchObject({ type: "done" });
    expect((final(b) as { text: string }).text).toBe((final(a) as { text: string }).text);
  });

  it("a stream that stalls midway keeps its partial text, marked partial, usage estimated", async () => {
    const { sessionToken } = await startSession();
    stack.simulator.setFault({ stallAfterTokens: 3 });
    const events = await send(sessionToken, "Hello?");
    const done = final(events);
    if (done?.type !== "done") throw new Error(`expected done, got ${JSON.stringify(done)}`);
    expect(done.status).toBe("partial");
    expect(done.text.length).toBeGreaterThan(0);
    expect(done.usage.estimated).toBe(true);
    const [stored] = await stack.database.db.select().from(chatMessages).where(eq(chatMessages.id, done.messageId));
    expect(stored).toMatchObject({ status: "partial", content: done.text, errorCode: "timeout", usageEstimated: true });
    await expect.poll(() => answersInFlight()).toBe(0);
  });

  it.each([
    ["error500", "upstream_error"],
    ["error429", "rate_limited"],
    ["hang", "timeout"],
  ] as const)("model fault %s: a clear %s error, a failed message stored, nothing left hanging", async (fault, code) => {
    const { sessionToken } = await startSession();
    stack.simulator.setFault(fault);
    const events = await send(sessionToken, "Anyone there?");
    const last = final(events);
    expect(last).toMatchObject({ type: "error", code, retryable: true, message: expect.stringMatching(/try again/i) });
    const [stored] = await stack.database.db.select().from(chatMessages).where(eq(chatMessages.id, (last as { messageId: string }).messageId));
    expect(stored).toMatchObject({ status: "failed", errorCode: code });
    await expect.poll(() => answersInFlight()).toBe(0);

    // The visitor's retry of the same message is answered once the model is back.
    stack.simulator.clearFault();
    const retried = await send(sessionToken, "Anyone there?", (events[0] as { clientMessageId: string }).clientMessageId);
    expect(final(retried)).toMatchObject({ type: "done", status: "complete" });
  });

  it("the visitor disconnecting aborts the model request; the partial answer is stored", async () => {
    stack.simulator.setProfile({ firstTokenMs: 50, msPerToken: 100 });
    const { sessionToken } = await startSession();
    const aborted = stack.simulator.stats().aborted;
    const controller = new AbortController();
    const clientMessageId = newId();
    const stream = await stack.client().chat.send.mutate({ sessionToken, clientMessageId, text: "Long answer please" }, { signal: controller.signal });
    const reading = (async () => {
      for await (const event of stream) if (event.type === "token") controller.abort();
    })();
    await reading.catch(() => {});
    await expect.poll(() => stack.simulator.stats().aborted, { timeout: 5000 }).toBe(aborted + 1);
    stack.simulator.setProfile({ firstTokenMs: 50, msPerToken: 5 });
    await expect
      .poll(async () => {
        const [user] = await stack.database.db.select().from(chatMessages).where(eq(chatMessages.clientMessageId, clientMessageId));
        if (!user) return undefined;
        const [reply] = await stack.database.db.select().from(chatMessages).where(eq(chatMessages.replyToId, user.id));
        return reply;
      })
      .toMatchObject({ status: "partial", errorCode: "aborted" });
  });
});

describe("chat.send bad input", () => {
  it.each([
    ["empty text", "   "],
    ["text over the configured limit", "x".repeat(201)],
    ["control characters", "hello\u0000world"],
  ])("%s: BAD_REQUEST before any model call, nothing written", async (_label, text) => {
    const { sessionToken } = await startSession();
    const before = await tableCounts();
    const requests = answerCalls();
    await expectCode(stack.client().chat.send.mutate({ sessionToken, clientMessageId: newId(), text }), "BAD_REQUEST");
    expect(await tableCounts()).toEqual(before);
    expect(answerCalls()).toBe(requests);
  });

  it("forged, expired and other-site tokens are refused; nothing written, no model call", async () => {
    const { sessionToken, sessionId } = await startSession();
    const secret = stack.services.config.sessionSecret;
    const [site] = await stack.database.db.select().from(sites).where(eq(sites.publicKey, "demo"));
    const [otherSite] = await stack.database.db
      .insert(sites)
      .values({ ...site!, id: undefined, publicKey: "other", createdAt: undefined, updatedAt: undefined })
      .returning();
    const before = await tableCounts();
    const requests = answerCalls();
    const attempt = (token: string) => stack.client().chat.send.mutate({ sessionToken: token, clientMessageId: newId(), text: "hi" });

    const [body] = sessionToken.split(".");
    await expectCode(attempt(`${body}.${"A".repeat(43)}`), "UNAUTHORIZED");
    const claims = { sessionId, siteId: site!.id, organizationId: stack.organizationId };
    await expectCode(attempt(signSessionToken(claims, secret, -10)), "UNAUTHORIZED");
    await expectCode(attempt(signSessionToken(claims, "another-secret-".padEnd(40, "y"), 60)), "UNAUTHORIZED");
    await expectCode(attempt(signSessionToken({ ...claims, siteId: otherSite!.id }, secret, 60)), "NOT_FOUND");
    expect(await tableCounts()).toEqual(before);
    expect(answerCalls()).toBe(requests);
  });
});

describe("/metrics", () => {
  it("exports Prometheus histograms of answered messages and stages", async () => {
    const { sessionToken } = await startSession();
    await send(sessionToken, "Hello");
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    expect(text).toMatch(/^leadline_chat_total_seconds_count\{outcome="complete",complexity="simple"\} [1-9]/m);
    expect(text).toMatch(/^leadline_chat_time_to_first_token_seconds_bucket\{/m);
    expect(text).toContain("leadline_process_cpu_seconds_total");
  });
});

describe("chat.history and chat.feedback", () => {
  it("history returns the conversation; feedback is stored and shown; another session's message is NOT_FOUND", async () => {
    const { sessionToken } = await startSession();
    const events = await send(sessionToken, "My email is ana@globex.example");
    const done = events.find((e) => e.type === "done") as Extract<SendEvent, { type: "done" }>;
    await stack.client().chat.feedback.mutate({ sessionToken, messageId: done.messageId, rating: "up" });

    const { messages: history, nextCursor } = await stack.client().chat.history.query({ sessionToken });
    expect(nextCursor).toBeNull();
    expect(history.map((m) => [m.role, m.feedback])).toEqual([
      ["user", null],
      ["assistant", "up"],
    ]);
    expect(history[0]?.content).toBe("My email is ana@globex.example");

    const other = await startSession();
    await expectCode(stack.client().chat.feedback.mutate({ sessionToken: other.sessionToken, messageId: done.messageId, rating: "down" }), "NOT_FOUND");
  });
});
