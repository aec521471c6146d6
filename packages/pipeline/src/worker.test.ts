import { defaultFlags } from "@leadline/flags/definitions";
import { analyticsEvents, auditLog, backgroundRuns, leads, messageCosts, outboxEvents } from "@leadline/db/schema";
import { createTestDatabase, type TestDatabase } from "@leadline/db/testing";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { BatchableStage } from "./runner";
import { STAGES } from "./registry";
import { startPipelineRuntime, type PipelineRuntime } from "./runtime";
import { saveReply } from "./save-reply";
import { insertUserMessage, seedSession, fixedReplyModel, testStage } from "./testing";

const silent = { info() {}, warn() {}, error() {} };

/** How each batch reached the stage: the messages of each runBatch call, and those run alone. */
const batches: string[][] = [];
const alone: string[] = [];
const countingStage: BatchableStage = {
  ...testStage({
    name: "counting",
    async run(ctx) {
      alone.push(ctx.facts.reply.id);
    },
  }),
  async runBatch(ctxs) {
    batches.push(ctxs.map((ctx) => ctx.facts.reply.id));
  },
};

let database: TestDatabase;
let runtime: PipelineRuntime;
beforeAll(async () => {
  database = await createTestDatabase();
  runtime = await startPipelineRuntime({ url: database.url, db: database.db, sql: database.sql }, silent, { client: fixedReplyModel(), demo: true }, {
    runWorker: true,
    queue: { webhookRetries: 1, webhookRetryDelaySeconds: 1, postProcessRetries: 2, postProcessRetryDelaySeconds: 1 },
    // A poll far off: only the wake-up of the insert can bring the work in time.
    worker: { concurrency: 16, relayIntervalMs: 60_000, relayAfterMs: 60_000, idlePollMs: 60_000 },
    enhancementWindowMs: 1_000,
    stages: [...STAGES.filter((s) => s.lane !== "model"), countingStage],
  });
});
afterAll(async () => {
  await runtime?.stop();
  await database?.drop();
});

const end = { type: "end" as const, status: "complete" as const, text: "Thanks!", model: "gpt-4o-mini", usage: { promptTokens: 50, cachedPromptTokens: 0, completionTokens: 5, estimated: false }, timings: { firstTokenMs: 1, totalMs: 1, attempts: 1 } };

/** A saved reply whose background job (record-analytics) is still to run. */
async function answeredMessage() {
  const fixture = await seedSession(database);
  const user = await insertUserMessage(database, fixture.claims, "Hello");
  const job = { stages: ["record-analytics"], complexity: "simple", flags: defaultFlags() };
  const { messageId } = await saveReply(database.db, fixture.claims, user.id, end, true, job);
  return { job, messageId, organizationId: fixture.organizationId };
}

describe("the worker's batches", () => {
  it("messages sent together are claimed together: each stage runs once for all of them, with the same rows as one by one", async () => {
    const first = await seedSession(database);
    const second = await seedSession(database);
    const stages = [...STAGES.filter((s) => s.lane !== "model").map((s) => s.name), "counting"];
    const sent: { messageId: string; sessionId: string }[] = [];
    // Two sessions, three messages each; a session's messages come in order.
    for (const text of ["Hi there", "I'm Ana Silva from Globex", "ana@globex.example, budget $40k, next month"]) {
      for (const fixture of [first, second]) {
        const user = await insertUserMessage(database, fixture.claims, text);
        const job = { stages, complexity: "complex", flags: defaultFlags() };
        const { messageId } = await saveReply(database.db, fixture.claims, user.id, end, true, job);
        sent.push({ messageId, sessionId: fixture.claims.sessionId });
      }
    }
    const committedAt = Date.now();
    await Promise.all(
      sent.map(({ messageId }) =>
        runtime.deps.queue!.sendPostProcess({ messageId, organizationId: first.organizationId, stages, complexity: "complex", flags: defaultFlags(), committedAt }),
      ),
    );
    const ids = sent.map((m) => m.messageId);
    await expect.poll(async () => (await database.db.select().from(backgroundRuns).where(inArray(backgroundRuns.messageId, ids))).length, { timeout: 15_000 }).toBe(6);

    expect(batches).toEqual([expect.arrayContaining(ids)]);
    expect(alone).toEqual([]);
    const runs = await database.db.select().from(backgroundRuns).where(inArray(backgroundRuns.messageId, ids));
    expect(runs.every((run) => run.stages.every((s) => s.ok) && run.stages.length === stages.length)).toBe(true);
    expect(await database.db.select().from(analyticsEvents).where(inArray(analyticsEvents.messageId, ids))).toHaveLength(6);
    expect(await database.db.select().from(messageCosts).where(inArray(messageCosts.messageId, ids))).toHaveLength(6);
    expect(await database.db.select().from(auditLog).where(and(eq(auditLog.action, "chat.reply"), inArray(auditLog.targetId, ids)))).toHaveLength(6);
    for (const fixture of [first, second]) {
      const [lead] = await database.db.select().from(leads).where(eq(leads.sessionId, fixture.claims.sessionId));
      expect(lead?.contactInfo).toMatchObject({ name: "Ana Silva", email: "ana@globex.example" });
      const mine = sent.filter((m) => m.sessionId === fixture.claims.sessionId).map((m) => m.messageId);
      const events = await database.db.select().from(outboxEvents).where(and(inArray(outboxEvents.messageId, mine), eq(outboxEvents.type, "lead.captured")));
      // Captured once, though the session's three messages ran in one batch.
      expect(events).toHaveLength(1);
    }
    expect((await database.db.select().from(outboxEvents).where(inArray(outboxEvents.messageId, ids))).filter((e) => !e.processedAt && e.type.startsWith("message."))).toEqual([]);
  });

  it("a job sent by a process without a worker is announced: the idle worker elsewhere claims it at once, not at its next poll", async () => {
    const api = await startPipelineRuntime({ url: database.url, db: database.db, sql: database.sql }, silent, { client: fixedReplyModel(), demo: true }, {
      runWorker: false,
      queue: { webhookRetries: 1, webhookRetryDelaySeconds: 1, postProcessRetries: 2, postProcessRetryDelaySeconds: 1 },
      worker: { concurrency: 1, relayIntervalMs: 60_000, relayAfterMs: 60_000 },
      enhancementWindowMs: 1_000,
    });
    try {
      const { job, messageId, organizationId } = await answeredMessage();
      await api.deps.queue!.sendPostProcess({ ...job, complexity: "simple", messageId, organizationId, committedAt: Date.now() });
      // The worker polls once a minute here: only the announcement brings it in time.
      await expect.poll(async () => (await database.db.select().from(backgroundRuns).where(eq(backgroundRuns.messageId, messageId))).length, { timeout: 10_000 }).toBe(1);
    } finally {
      await api.stop();
    }
  });

  it("a job nobody announced (a producer that died before its NOTIFY) is found by the idle worker's periodic look", async () => {
    const looking = await startPipelineRuntime({ url: database.url, db: database.db, sql: database.sql }, silent, { client: fixedReplyModel(), demo: true }, {
      runWorker: true,
      queue: { webhookRetries: 1, webhookRetryDelaySeconds: 1, postProcessRetries: 2, postProcessRetryDelaySeconds: 1 },
      worker: { concurrency: 1, relayIntervalMs: 60_000, relayAfterMs: 60_000, idlePollMs: 300 },
      enhancementWindowMs: 1_000,
    });
    try {
      const { job, messageId, organizationId } = await answeredMessage();
      // Straight into pg-boss: no wake-up in this process, no NOTIFY to another.
      await looking.queue.boss.insert([{ name: "post-process", data: { ...job, complexity: "simple", messageId, organizationId, committedAt: Date.now() } }]);
      await expect.poll(async () => (await database.db.select().from(backgroundRuns).where(eq(backgroundRuns.messageId, messageId))).length, { timeout: 5_000 }).toBe(1);
    } finally {
      await looking.stop();
    }
  });
});
