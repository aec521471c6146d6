import { hashPassword } from "@leadline/db/password";
import { adminUsers, backgroundRuns, chatMessages, chatSessions, leads, messageCosts, organizations, requestTimings, sites, visitors } from "@leadline/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { adminBrowser, expectCode, startTestStack, TEST_ADMIN, type TestStack } from "./testing";

const ADMIN_ORIGIN = "http://localhost:3001";
const OTHER_ADMIN = { email: "admin@other.example", password: "password-of-other" };
const HOUR = 3_600_000;

let stack: TestStack;
let demoSiteId: string;
let otherSessionId: string;
/** Seeded conversations of the demo organization, most recently active first. */
let seeded: { id: string; messages: number }[] = [];

/** A session with `messages` alternating user/assistant messages, the last one `lastAt`. */
async function addConversation(organizationId: string, siteId: string, messages: number, lastAt: Date) {
  const db = stack.database.db;
  const [visitor] = await db.insert(visitors).values({ organizationId, siteId }).returning();
  const start = new Date(lastAt.getTime() - messages * 1000);
  const [session] = await db.insert(chatSessions).values({ organizationId, siteId, visitorId: visitor!.id, createdAt: start, lastMessageAt: messages ? lastAt : null }).returning();
  if (messages > 0) {
    await db.insert(chatMessages).values(
      Array.from({ length: messages }, (_, i) => ({
        organizationId,
        sessionId: session!.id,
        role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
        content: `message ${i}`,
        createdAt: new Date(lastAt.getTime() - (messages - 1 - i) * 1000),
      })),
    );
  }
  return session!;
}

beforeAll(async () => {
  stack = await startTestStack();
  const db = stack.database.db;
  const [demoSite] = await db.select().from(sites).where(eq(sites.organizationId, stack.organizationId));
  demoSiteId = demoSite!.id;
  const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR);
  // Two sessions last active at the very same instant: the id breaks the tie.
  const tie = at(5);
  const plan = [
    { messages: 2, lastAt: at(1) },
    { messages: 3, lastAt: at(2) },
    { messages: 1, lastAt: tie },
    { messages: 4, lastAt: tie },
    { messages: 2, lastAt: at(30) },
    { messages: 5, lastAt: at(200) },
  ];
  const rows = [];
  for (const p of plan) rows.push({ ...(await addConversation(stack.organizationId, demoSiteId, p.messages, p.lastAt)), messages: p.messages, lastAt: p.lastAt });
  await addConversation(stack.organizationId, demoSiteId, 0, at(0.5)); // opened, never used: not a conversation
  seeded = rows.sort((a, b) => b.lastAt.getTime() - a.lastAt.getTime() || (a.id < b.id ? 1 : -1)).map((r) => ({ id: r.id, messages: r.messages }));
  await db.insert(leads).values({ organizationId: stack.organizationId, siteId: demoSiteId, sessionId: rows[1]!.id, status: "qualified", score: 72 });

  const [org] = await db.insert(organizations).values({ name: "Other", slug: "other" }).returning();
  const [otherSite] = await db.insert(sites).values({ ...demoSite!, id: undefined, organizationId: org!.id, publicKey: "other" }).returning();
  await db.insert(adminUsers).values({ organizationId: org!.id, email: OTHER_ADMIN.email, role: "viewer", passwordHash: await hashPassword(OTHER_ADMIN.password) });
  otherSessionId = (await addConversation(org!.id, otherSite!.id, 2, at(0.1))).id;
});
afterAll(() => stack?.stop());

async function loggedIn(login = TEST_ADMIN) {
  const browser = adminBrowser(stack.url, ADMIN_ORIGIN, login);
  await browser.logIn();
  return browser.client;
}


type Client = Awaited<ReturnType<typeof loggedIn>>;
async function everyPage(admin: Client, limit: number) {
  const items = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page += 1) {
    const result = await admin.conversations.list.query({ limit, cursor });
    expect(result.items.length).toBeLessThanOrEqual(limit);
    items.push(...result.items);
    if (!result.nextCursor) return items;
    cursor = result.nextCursor;
  }
  throw new Error("pagination never ended");
}

describe("conversations.list", () => {
  it.each([1, 2, 4, 100])("pages of %i: every conversation once, most recently active first, with counts and lead", async (limit) => {
    const admin = await loggedIn();
    const items = await everyPage(admin, limit);
    expect(items.map((c) => c.sessionId)).toEqual(seeded.map((s) => s.id));
    expect(items.map((c) => c.messageCount)).toEqual(seeded.map((s) => s.messages));
    expect(items.filter((c) => c.lead).map((c) => [c.sessionId, c.lead])).toEqual([[seeded[1]!.id, { id: expect.any(String), status: "qualified", score: 72 }]]);
    const times = items.map((c) => c.lastMessageAt);
    expect(times).toEqual([...times].sort().reverse());
  });

  it("a limit over 100 or a made-up cursor is BAD_REQUEST", async () => {
    const admin = await loggedIn();
    await expectCode(admin.conversations.list.query({ limit: 101 }), "BAD_REQUEST");
    await expectCode(admin.conversations.list.query({ limit: 10, cursor: "bm9wZQ" }), "BAD_REQUEST");
  });
});

describe("conversations.get", () => {
  it("a real chat: both messages, the answer with its timings, stages and cost", async () => {
    const { sessionToken } = await stack.client().chat.startSession.mutate({ siteKey: "demo" });
    const stream = await stack.client().chat.send.mutate({ sessionToken, clientMessageId: "message-1", text: "Hi, I'm Ana from Globex" });
    let answerId = "";
    for await (const event of stream) if (event.type === "done") answerId = event.messageId;
    expect(answerId).not.toBe("");
    const db = stack.database.db;
    // Timings, cost and background work land just after the answer.
    await expect.poll(async () => (await db.select().from(backgroundRuns).where(eq(backgroundRuns.messageId, answerId))).length, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await db.select().from(requestTimings).where(eq(requestTimings.messageId, answerId))).length, { timeout: 10_000 }).toBe(1);
    const [timing] = await db.select().from(requestTimings).where(eq(requestTimings.messageId, answerId));
    const [cost] = await db.select().from(messageCosts).where(eq(messageCosts.messageId, answerId));
    const [answer] = await db.select().from(chatMessages).where(eq(chatMessages.id, answerId));

    const admin = await loggedIn();
    const conversation = await admin.conversations.get.query({ sessionId: answer!.sessionId });
    const [lead] = await db.select({ id: leads.id, status: leads.status, score: leads.score }).from(leads).where(eq(leads.sessionId, answer!.sessionId));
    expect(conversation).toMatchObject({ sessionId: answer!.sessionId, siteId: demoSiteId, lead: lead ?? null });
    expect(conversation.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    const [question, reply] = conversation.messages;
    expect(question).toMatchObject({ content: "Hi, I'm Ana from Globex", timing: null, cost: null, usage: null });
    expect(reply).toMatchObject({
      id: answerId,
      content: answer!.content,
      status: "complete",
      model: "gpt-4o-mini",
      usage: { promptTokens: answer!.promptTokens, completionTokens: answer!.completionTokens },
      timing: {
        timeToFirstTokenMs: timing!.timeToFirstTokenMs,
        totalMs: timing!.totalMs,
        llmMs: timing!.llmMs,
        criticalPostMs: timing!.criticalPostMs,
        complexity: timing!.complexity,
        outcome: "complete",
        stages: timing!.stages,
      },
      cost: { model: "gpt-4o-mini", priced: true, usd: Number(cost!.costUsd), inputTokens: cost!.inputTokens, outputTokens: cost!.outputTokens },
    });
    expect(reply!.timing!.stages.map((s) => s.name)).toContain("save-reply");
    expect(conversation.totalCostUsd).toBeCloseTo(Number(cost!.costUsd), 10);

    // The new conversation leads the list.
    const [first] = (await admin.conversations.list.query({ limit: 1 })).items;
    expect(first).toMatchObject({ sessionId: answer!.sessionId, messageCount: 2, lastMessageAt: reply!.createdAt });
    seeded.unshift({ id: answer!.sessionId, messages: 2 });
  });

  it("a seeded conversation: messages oldest first, no timings where none were recorded", async () => {
    const admin = await loggedIn();
    const conversation = await admin.conversations.get.query({ sessionId: seeded.at(-1)!.id });
    expect(conversation.messages.map((m) => m.content)).toEqual(["message 0", "message 1", "message 2", "message 3", "message 4"]);
    expect(conversation.messages.every((m) => m.timing === null && m.cost === null)).toBe(true);
    expect(conversation.totalCostUsd).toBe(0);
  });

  it("another organization's session, or none at all, is NOT_FOUND; a malformed id BAD_REQUEST", async () => {
    const admin = await loggedIn();
    await expectCode(admin.conversations.get.query({ sessionId: otherSessionId }), "NOT_FOUND");
    await expectCode(admin.conversations.get.query({ sessionId: crypto.randomUUID() }), "NOT_FOUND");
    await expectCode(admin.conversations.get.query({ sessionId: "x" }), "BAD_REQUEST");
  });
});

describe("conversations: who may see what", () => {
  it("anonymous callers get UNAUTHORIZED", async () => {
    const anonymous = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN).client;
    await expectCode(anonymous.conversations.list.query({ limit: 10 }), "UNAUTHORIZED");
    await expectCode(anonymous.conversations.get.query({ sessionId: otherSessionId }), "UNAUTHORIZED");
  });

  it("each organization lists only its own conversations; the other's are NOT_FOUND", async () => {
    const outsider = await loggedIn(OTHER_ADMIN);
    expect((await outsider.conversations.list.query({ limit: 100 })).items.map((c) => c.sessionId)).toEqual([otherSessionId]);
    expect((await outsider.conversations.get.query({ sessionId: otherSessionId })).messages).toHaveLength(2);
    await expectCode(outsider.conversations.get.query({ sessionId: seeded[0]!.id }), "NOT_FOUND");
    const admin = await loggedIn();
    expect((await admin.conversations.list.query({ limit: 100 })).items.map((c) => c.sessionId)).not.toContain(otherSessionId);
  });
});
