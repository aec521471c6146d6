/**
 * chat.history and conversations.get page a long conversation: the latest
 * messages first, a cursor to older ones, every message exactly once.
 */
import { chatMessages } from "@leadline/db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { adminBrowser, expectCode, startTestStack, TEST_ADMIN, type TestStack } from "./testing";

const MESSAGES = 400;

let stack: TestStack;
let sessionToken: string;
let sessionId: string;
/** The seeded conversation's contents, as it reads: oldest first. */
let transcript: string[];

beforeAll(async () => {
  stack = await startTestStack();
  ({ sessionToken, sessionId } = await stack.client().chat.startSession.mutate({ siteKey: "demo" }));
  const start = Date.now() - MESSAGES * 1000;
  // Each question and its answer share an instant (written in one transaction):
  // the order must still be question, then answer, also across a page boundary.
  const rows = Array.from({ length: MESSAGES }, (_, i) => ({
    organizationId: stack.organizationId,
    sessionId,
    role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
    content: `message ${i}`,
    createdAt: new Date(start + Math.floor(i / 2) * 1000),
  }));
  await stack.database.db.insert(chatMessages).values(rows);
  transcript = rows.map((r) => r.content);
});
afterAll(() => stack?.stop());

describe("chat.history", () => {
  it("answers with the latest 50 messages, oldest first, and a cursor to the older ones", async () => {
    const page = await stack.client().chat.history.query({ sessionToken });
    expect(page.messages.map((m) => m.content)).toEqual(transcript.slice(-50));
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it("walking the cursors gives every message once, in order, and ends with a null cursor", async () => {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await stack.client().chat.history.query({ sessionToken, cursor, limit: 37 });
      expect(page.messages.length).toBeLessThanOrEqual(37);
      pages.push(page.messages.map((m) => m.content));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 50);
    expect(pages.length).toBe(Math.ceil(MESSAGES / 37));
    expect(pages.reverse().flat()).toEqual(transcript);
  });

  it("refuses a page over 200 and a cursor that is not one of ours", async () => {
    await expectCode(stack.client().chat.history.query({ sessionToken, limit: 201 }), "BAD_REQUEST");
    await expectCode(stack.client().chat.history.query({ sessionToken, cursor: "bm9wZQ" }), "BAD_REQUEST");
    const impossible = Buffer.from(`2025-02-30T00:00:00.000000Z|user|${crypto.randomUUID()}`).toString("base64url");
    expect((await expectCode(stack.client().chat.history.query({ sessionToken, cursor: impossible }), "BAD_REQUEST")).message).toMatch(/cursor/i);
  });
});

describe("conversations.get", () => {
  it("pages the same way, with the whole conversation's count and last message time on every page", async () => {
    const admin = adminBrowser(stack.url, "http://localhost:3001", TEST_ADMIN);
    await admin.logIn();
    const latest = await admin.client.conversations.get.query({ sessionId });
    expect(latest.messages.map((m) => m.content)).toEqual(transcript.slice(-50));
    expect(latest).toMatchObject({ messageCount: MESSAGES, lastMessageAt: latest.messages.at(-1)!.createdAt });

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.client.conversations.get.query({ sessionId, cursor, limit: 200 });
      expect(page.messageCount).toBe(MESSAGES);
      pages.push(page.messages.map((m) => m.content));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 10);
    expect(pages.reverse().flat()).toEqual(transcript);
    await expectCode(admin.client.conversations.get.query({ sessionId, limit: 201 }), "BAD_REQUEST");
  });
});
