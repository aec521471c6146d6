/**
 * Hostile requests get a 4xx that says what is wrong, and nothing is stored
 * or called first. Each case is one the fuzz test (fuzz.test.ts) found, pinned.
 */
import { defaultFlags } from "@leadline/flags/definitions";
import { auditLog, chatMessages, chatSessions, feedback, sites } from "@leadline/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { probe, trpcCodesOf } from "./http-probe";
import { createMemoryUnleashAdmin } from "./memory-unleash-admin";
import { adminBrowser, expectCode, startTestStack, TEST_ADMIN, TEST_ORIGIN, type TestStack } from "./testing";

const ADMIN_ORIGIN = "http://localhost:3001";
const json = { "content-type": "application/json", origin: TEST_ORIGIN };

let stack: TestStack;
let admin: ReturnType<typeof adminBrowser>;
let sessionToken: string;
let answerId: string;

beforeAll(async () => {
  stack = await startTestStack({ flags: defaultFlags(), unleashAdmin: createMemoryUnleashAdmin() });
  admin = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN);
  await admin.logIn();
  ({ sessionToken } = await stack.client().chat.startSession.mutate({ siteKey: "demo" }));
  const stream = await stack.client().chat.send.mutate({ sessionToken, clientMessageId: "hostile-1", text: "Hello" });
  for await (const event of stream) if (event.type === "done") answerId = event.messageId;
});
afterAll(() => stack?.stop());

const db = () => stack.database.db;
const counts = async () => ({
  sessions: await db().$count(chatSessions),
  messages: await db().$count(chatMessages),
  feedback: await db().$count(feedback),
  audit: await db().$count(auditLog),
});

describe("control characters in text", () => {
  it("a NUL in a feedback comment is a 400 that names the field; nothing is stored", async () => {
    const before = await counts();
    const error = await expectCode(stack.client().chat.feedback.mutate({ sessionToken, messageId: answerId, rating: "up", comment: "great\u0000answer" }), "BAD_REQUEST");
    expect(error.data?.httpStatus).toBe(400);
    expect(error.message).toMatch(/control characters/);
    expect(await counts()).toEqual(before);
  });

  it("sites.update and a flag change's reason refuse NUL and other control characters with a 400; nothing changes", async () => {
    const [site] = await db().select().from(sites).where(eq(sites.organizationId, stack.organizationId));
    const before = await counts();
    await expectCode(admin.client.sites.update.mutate({ id: site!.id, changes: { name: "Demo\u0000" } }), "BAD_REQUEST");
    await expectCode(admin.client.sites.update.mutate({ id: site!.id, changes: { greeting: "Hi" }, reason: "why\u0000" }), "BAD_REQUEST");
    await expectCode(admin.client.sites.update.mutate({ id: site!.id, changes: { theme: { ...site!.theme, title: "\u001b[31mred" } } }), "BAD_REQUEST");
    await expectCode(admin.client.flags.setEnabled.mutate({ name: "pipeline.streaming", enabled: true, reason: "because\u0000" }), "BAD_REQUEST");
    await expectCode(admin.client.flags.setRollout.mutate({ name: "pipeline.streaming", rollout: 50, reason: "half \u0007 way" }), "BAD_REQUEST");
    expect(await counts()).toEqual(before);
    const [after] = await db().select().from(sites).where(eq(sites.id, site!.id));
    expect(after!.name).toBe(site!.name);
    // Line breaks and tabs are text, not control: a multi-line prompt is fine.
    await admin.client.sites.update.mutate({ id: site!.id, changes: { systemPrompt: `${site!.systemPrompt}\n\tBe brief.` }, reason: "tone" });
  });
});

describe("impossible dates and cursors", () => {
  it("reports.get for day 0000-01-01 (or a day outside 2000–2099) is a 400, not a database error", async () => {
    for (const day of ["0000-01-01", "1999-12-31", "2100-01-01", "2023-02-29"]) {
      const error = await expectCode(admin.client.reports.get.query({ day }), "BAD_REQUEST");
      expect(error.message).toMatch(/day/i);
    }
    await expectCode(admin.client.reports.get.query({ day: "2024-02-29" }), "NOT_FOUND");
  });

  it("a leads or conversations cursor holding an impossible timestamp is a 400", async () => {
    const cursor = Buffer.from(`2025-13-45T99:99:99.999999Z|${crypto.randomUUID()}`).toString("base64url");
    const year0 = Buffer.from(`0000-01-01T00:00:00.000000Z|${crypto.randomUUID()}`).toString("base64url");
    for (const c of [cursor, year0]) {
      expect((await expectCode(admin.client.leads.list.query({ limit: 10, cursor: c }), "BAD_REQUEST")).message).toMatch(/cursor/i);
      await expectCode(admin.client.conversations.list.query({ limit: 10, cursor: c }), "BAD_REQUEST");
    }
  });
});

describe("the HTTP layer", () => {
  it("TRACE (or any method tRPC does not serve) is a 405 with Allow", async () => {
    for (const method of ["TRACE", "HEAD", "PUT", "DELETE", "PATCH"]) {
      // TRACE and HEAD carry no body: Node would read one as the next request.
      const body = method === "TRACE" || method === "HEAD" ? undefined : "{}";
      const response = await probe(stack.url, { method, path: "/trpc/system.status", headers: json, body });
      if (response === "timeout") throw new Error(`${method} hung`);
      expect(response.status, method).toBe(405);
      expect(response.headers.allow).toBe("GET, POST, OPTIONS");
    }
  });

  it("a 20 MB body is a 413 with a message saying the limit, and is not parsed", async () => {
    const body = JSON.stringify({ siteKey: "demo", visitorId: "x".repeat(20 * 1024 * 1024) });
    const before = await counts();
    const response = await probe(stack.url, { method: "POST", path: "/trpc/chat.startSession", headers: { ...json, "content-length": String(body.length) }, body });
    if (response === "timeout") throw new Error("the upload hung");
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text).error.message).toMatch(/at most 1 MB/);
    // Sent in chunks without a length, it is cut off as it arrives.
    const chunked = await probe(stack.url, { method: "POST", path: "/trpc/chat.startSession", headers: { ...json, "transfer-encoding": "chunked" }, body });
    expect(chunked !== "timeout" && chunked.status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it("a batch over 20 calls is refused as a whole, saying the cap; no session is made", async () => {
    const before = await counts();
    const calls = 100;
    const path = `/trpc/${Array(calls).fill("chat.startSession").join(",")}?batch=1`;
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, { siteKey: "demo" }])));
    const response = await probe(stack.url, { method: "POST", path, headers: json, body });
    if (response === "timeout") throw new Error("the batch hung");
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/at most 20 calls/);
    expect(await counts()).toEqual(before);
    // 20 is fine.
    const ok = await probe(stack.url, { method: "GET", path: `/trpc/${Array(20).fill("system.status").join(",")}?batch=1`, headers: json });
    expect(ok !== "timeout" && ok.status).toBe(200);
  });

  it("a plain (non-streaming) POST to chat.send is refused before the message is stored or the model called", async () => {
    const input = { sessionToken, clientMessageId: "plain-post-1", text: "Is this billed?" };
    const feedbackInput = { sessionToken, messageId: answerId, rating: "up" };
    for (const [path, body] of [
      ["/trpc/chat.send", JSON.stringify(input)],
      ["/trpc/chat.send?batch=1", JSON.stringify({ 0: input })],
      ["/trpc/chat.feedback,chat.send?batch=1", JSON.stringify({ 0: feedbackInput, 1: input })],
    ] as const) {
      const before = await counts();
      const requests = stack.simulator.stats().requests;
      const response = await probe(stack.url, { method: "POST", path, headers: json, body });
      if (response === "timeout") throw new Error(`${path} hung`);
      expect(response.status, path).toBe(415);
      expect(trpcCodesOf(response.text)).toContain("UNSUPPORTED_MEDIA_TYPE");
      expect(response.text).toMatch(/httpBatchStreamLink/);
      // Give a call that slipped through time to reach the model.
      await new Promise((r) => setTimeout(r, 300));
      expect(stack.simulator.stats().requests, path).toBe(requests);
      expect(await counts(), path).toEqual(before);
    }
  });
});
