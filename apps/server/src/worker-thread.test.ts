import { backgroundRuns, messageCosts } from "@leadline/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestStack, type TestStack } from "./testing";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ workerThread: true });
});
afterAll(() => stack?.stop());

describe("ROLE=all with the worker in a worker thread", () => {
  it("serves requests on this thread; the thread does the background work", async () => {
    // This thread runs no worker of its own.
    expect(stack.pipeline.worker).toBeNull();

    const { sessionToken } = await stack.client().chat.startSession.mutate({ siteKey: "demo" });
    const stream = await stack.client().chat.send.mutate({ sessionToken, clientMessageId: `t-${Date.now()}`, text: "Hi, I'm Ada from Analytical Engines, ada@engines.example" });
    let messageId = "";
    for await (const event of stream) if (event.type === "done") messageId = event.messageId;
    expect(messageId).not.toBe("");

    // The reply's background stages ran: only the thread's worker could have run them.
    const db = stack.database.db;
    await expect.poll(async () => (await db.select().from(backgroundRuns).where(eq(backgroundRuns.messageId, messageId)))[0], { timeout: 20_000 }).toMatchObject({ messageId });
    expect((await db.select().from(messageCosts).where(eq(messageCosts.messageId, messageId))).length).toBe(1);
  });

  it("a thread that dies is started again, and the work sent meanwhile is done", async () => {
    await stack.workerThread!.terminate();
    const { sessionToken } = await stack.client().chat.startSession.mutate({ siteKey: "demo" });
    const stream = await stack.client().chat.send.mutate({ sessionToken, clientMessageId: `t2-${Date.now()}`, text: "Grace here, grace@navy.example" });
    let messageId = "";
    for await (const event of stream) if (event.type === "done") messageId = event.messageId;
    const db = stack.database.db;
    await expect.poll(async () => (await db.select().from(backgroundRuns).where(eq(backgroundRuns.messageId, messageId)))[0], { timeout: 30_000 }).toMatchObject({ messageId });
  });
});
