import { baselineFlags, defaultFlags, type FlagSet } from "@leadline/flags/definitions";
import { backgroundRuns, leads, messageCosts, outboxEvents } from "@leadline/db/schema";
import { createTestDatabase, type TestDatabase } from "@leadline/db/testing";
import type { SendEvent } from "@leadline/validators/chat";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startPipelineRuntime, type PipelineRuntime } from "./runtime";
import { runInlineGroups, type StageSpan } from "./runner";
import { STAGES } from "./registry";
import { saveReply } from "./save-reply";
import type { Stage } from "./stage";
import { fixedReplyModel, insertUserMessage, seedSession, testStage } from "./testing";
import { answerTurn, type Turn } from "./turn";

const silent = { info() {}, warn() {}, error() {} };

/** A stage that holds a database connection for ms milliseconds, then records that it ran. */
function sleepyStage(name: string, ms: number, extra: Partial<Stage> = {}): Stage {
  return testStage({
    name,
    async run(ctx) {
      await ctx.db.execute(sql`select pg_sleep(${ms / 1000})`);
      ran.push({ name, messageId: ctx.facts.reply.id });
    },
    ...extra,
  });
}
const ran: { name: string; messageId: string }[] = [];
let flakyFailures = 0;
const flakyStage = sleepyStage("flaky", 1, {
  async run(ctx) {
    if (flakyFailures > 0) {
      flakyFailures -= 1;
      throw new Error("flaky stage failed on purpose");
    }
    ran.push({ name: "flaky", messageId: ctx.facts.reply.id });
  },
});

/** Per message: the most of the "overlap-*" stages running at one moment. */
const overlaps = new Map<string, number>();
const running = new Map<string, number>();
const overlapStage = (name: string) =>
  sleepyStage(name, 1, {
    async run(ctx) {
      const id = ctx.facts.reply.id;
      running.set(id, (running.get(id) ?? 0) + 1);
      overlaps.set(id, Math.max(overlaps.get(id) ?? 0, running.get(id)!));
      try {
        await ctx.db.execute(sql`select pg_sleep(0.05)`);
      } finally {
        running.set(id, running.get(id)! - 1);
      }
    },
  });
/** A stage on the model lane that waits while modelGate is closed. */
let modelGate: Promise<void> | null = null;
const modelLaneStage = sleepyStage("model-lane", 1, {
  lane: "model",
  async run(ctx) {
    if (modelGate) await modelGate;
    ran.push({ name: "model-lane", messageId: ctx.facts.reply.id });
  },
});

let database: TestDatabase;
let runtime: PipelineRuntime;
let fixture: Awaited<ReturnType<typeof seedSession>>;
const testStages = [...STAGES, sleepyStage("slow-background", 400), flakyStage, overlapStage("overlap-a"), overlapStage("overlap-b"), modelLaneStage];

beforeAll(async () => {
  database = await createTestDatabase();
  fixture = await seedSession(database);
  runtime = await startPipelineRuntime({ url: database.url, db: database.db, sql: database.sql }, silent, { client: fixedReplyModel(), demo: true }, {
    runWorker: true,
    queue: { webhookRetries: 2, webhookRetryDelaySeconds: 1, postProcessRetries: 3, postProcessRetryDelaySeconds: 1 },
    worker: { concurrency: 2, relayIntervalMs: 60_000, relayAfterMs: 0 },
    enhancementWindowMs: 3_000,
    stages: testStages,
  });
});
afterAll(async () => {
  await runtime?.stop();
  await database?.drop();
});

async function answer(text: string, flags: FlagSet) {
  const user = await insertUserMessage(database, fixture.claims, text);
  const turn: Turn = {
    claims: fixture.claims,
    visitorId: fixture.visitorId,
    userMessage: { content: user.content, clientMessageId: user.clientMessageId ?? "" },
    store: () => Promise.resolve(user.id),
    session: null,
    systemPrompt: "You qualify leads.",
    history: [],
    qualification: fixture.site.qualificationSettings,
    flags,
    complexity: "complex",
    startedAt: performance.now(),
    lookupMs: 0,
  };
  const events: { event: SendEvent; ranBefore: string[] }[] = [];
  await answerTurn(runtime.deps, turn, (event) => events.push({ event, ranBefore: ran.map((r) => `${r.name}:${r.messageId}`) }));
  const done = events.find((e) => e.event.type === "done");
  if (done?.event.type !== "done") throw new Error(`no done event: ${JSON.stringify(events)}`);
  return { events, done: done.event, doneSaw: done.ranBefore };
}

const backgroundRun = (messageId: string) => database.db.select().from(backgroundRuns).where(eq(backgroundRuns.messageId, messageId)).then((rows) => rows[0]);

describe("runner", () => {
  const facts = () => ({
    ...fixture.claims,
    visitorId: fixture.visitorId,
    userMessage: { id: crypto.randomUUID(), content: "hi" },
    reply: { id: crypto.randomUUID(), content: "hello", status: "complete" as const, model: "gpt-4o-mini", usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1, estimated: false }, committedAt: Date.now() },
    qualification: { qualifiedScore: 60, hotScore: 80 },
    complexity: "simple" as const,
    flags: baselineFlags(),
  });
  const run = (groups: Parameters<typeof runInlineGroups>[0]) =>
    runInlineGroups(groups, { db: database.db, log: silent, facts: facts(), state: {}, services: runtime.deps.services }, performance.now());
  const stages = [sleepyStage("a", 60), sleepyStage("b", 60), sleepyStage("c", 60)];

  it("inline: stages run one after another (each starts after the previous ended)", async () => {
    const spans = await run(stages.map((stage) => [{ stage, mode: "inline" as const }]));
    for (let i = 1; i < spans.length; i += 1) expect(spans[i]!.startMs).toBeGreaterThanOrEqual(spans[i - 1]!.endMs);
  });

  it("parallel: a group's stages run at the same time (their spans overlap)", async () => {
    const spans: StageSpan[] = await run([stages.map((stage) => ({ stage, mode: "parallel" as const }))]);
    const latestStart = Math.max(...spans.map((s) => s.startMs));
    const earliestEnd = Math.min(...spans.map((s) => s.endMs));
    expect(latestStart).toBeLessThan(earliestEnd);
    expect(spans.every((s) => s.ok && s.mode === "parallel")).toBe(true);
  });

  it("a stage past its time budget is aborted and reported, not waited for", async () => {
    const [span] = await run([[{ stage: sleepyStage("too-slow", 2_000, { timeoutMs: 100 }), mode: "inline" }]]);
    expect(span).toMatchObject({ ok: false, error: "too-slow exceeded its 100 ms budget" });
  });
});

describe("answerTurn", () => {
  it("every flag off: every stage runs before done, the lead and cost exist when the visitor gets the answer", async () => {
    const { done, doneSaw } = await answer("I'm Ana Silva from Globex, ana@globex.example, budget $40k, we need it next month", baselineFlags());
    expect(doneSaw).toEqual(expect.arrayContaining([`slow-background:${done.messageId}`, `flaky:${done.messageId}`]));
    const [lead] = await database.db.select().from(leads).where(eq(leads.sessionId, fixture.claims.sessionId));
    expect(lead?.contactInfo.email).toBe("ana@globex.example");
    const [cost] = await database.db.select().from(messageCosts).where(eq(messageCosts.messageId, done.messageId));
    expect(cost?.priced).toBe(true);
    const unprocessed = await database.db.select().from(outboxEvents).where(eq(outboxEvents.messageId, done.messageId));
    expect(unprocessed.every((e) => e.processedAt)).toBe(true);
  });

  it("background on: done is sent before the slow background stage has run; it completes afterwards", async () => {
    const { done, doneSaw } = await answer("What integrations do you have?", defaultFlags({ "pipeline.enhancement": false }));
    expect(doneSaw).not.toContain(`slow-background:${done.messageId}`);
    await expect.poll(() => backgroundRun(done.messageId), { timeout: 15_000 }).toMatchObject({ messageId: done.messageId });
    expect(ran.some((r) => r.name === "slow-background" && r.messageId === done.messageId)).toBe(true);
  });

  it("background: independent stages of a message run together, as in parallel mode", async () => {
    const { done } = await answer("Which plans do you have?", defaultFlags({ "pipeline.enhancement": false }));
    await expect.poll(() => backgroundRun(done.messageId), { timeout: 15_000 }).toMatchObject({ messageId: done.messageId });
    expect(overlaps.get(done.messageId)).toBe(2);
    // The sequential baseline runs them one after another.
    const baseline = await answer("And the enterprise plan?", baselineFlags());
    expect(overlaps.get(baseline.done.messageId)).toBe(1);
  });

  it("a stage on the model lane runs after the message's other background work is done, then joins its record", async () => {
    let open!: () => void;
    modelGate = new Promise((resolve) => (open = resolve));
    try {
      const { done } = await answer("Tell me about pricing", defaultFlags({ "pipeline.enhancement": false }));
      await expect.poll(() => backgroundRun(done.messageId), { timeout: 15_000 }).toMatchObject({ messageId: done.messageId });
      const stages = (await backgroundRun(done.messageId))!.stages.map((s) => s.name);
      expect(stages).toContain("overlap-a");
      expect(stages).not.toContain("model-lane");
      open();
      await expect
        .poll(async () => (await backgroundRun(done.messageId))?.stages.find((s) => s.name === "model-lane"), { timeout: 15_000 })
        .toMatchObject({ ok: true, lagMs: expect.any(Number) });
      expect(ran.filter((r) => r.name === "model-lane" && r.messageId === done.messageId)).toHaveLength(1);
    } finally {
      modelGate = null;
      open?.();
    }
  });

  it("a failing background stage is retried until it succeeds and never touches the visitor's answer", async () => {
    flakyFailures = 1;
    const { done, events } = await answer("Do you offer an SLA?", defaultFlags({ "pipeline.enhancement": false }));
    expect(events.map((e) => e.event.type)).not.toContain("error");
    expect(done.status).toBe("complete");
    const run = await expect.poll(() => backgroundRun(done.messageId), { timeout: 20_000 }).toMatchObject({ attempts: 2 });
    expect(run).toBeDefined();
    expect(ran.filter((r) => r.name === "flaky" && r.messageId === done.messageId)).toHaveLength(1);
  });

  it("progressive enhancement: a lead captured in the background arrives as an 'enhanced' event after done", async () => {
    const fresh = await seedSession(database);
    const saved = fixture;
    fixture = fresh;
    try {
      const { events } = await answer("Hi, I'm Bo Chen, bo@initech.example", defaultFlags());
      const types = events.map((e) => e.event.type);
      expect(types.indexOf("enhanced")).toBeGreaterThan(types.indexOf("done"));
      expect(events.find((e) => e.event.type === "enhanced")?.event).toMatchObject({ kind: "lead", data: { events: expect.arrayContaining(["lead.captured"]) } });
    } finally {
      fixture = saved;
    }
  });
});

describe("transactional outbox", () => {
  it("a crash after the commit loses nothing: the relay enqueues the committed work when the worker runs again", async () => {
    const user = await insertUserMessage(database, fixture.claims, "Call me at +44 20 7946 0958");
    const end = { type: "end" as const, status: "complete" as const, text: "Will do.", model: "gpt-4o-mini", usage: { promptTokens: 10, cachedPromptTokens: 0, completionTokens: 3, estimated: false }, timings: { firstTokenMs: 1, totalMs: 1, attempts: 1 } };
    // The reply is committed with its job description, then the process "dies" before enqueueing.
    const { messageId } = await saveReply(database.db, fixture.claims, user.id, end, true, { stages: ["calculate-cost", "record-analytics"], complexity: "complex", flags: defaultFlags() });
    expect(await backgroundRun(messageId)).toBeUndefined();

    expect(await runtime.worker!.relayNow()).toBeGreaterThanOrEqual(1);
    // While its job waits in the queue, the relay does not enqueue it again.
    expect(await runtime.worker!.relayNow()).toBe(0);
    await expect.poll(() => backgroundRun(messageId), { timeout: 15_000 }).toMatchObject({ messageId });
    const [cost] = await database.db.select().from(messageCosts).where(eq(messageCosts.messageId, messageId));
    expect(cost).toBeDefined();
    const events = await database.db.select().from(outboxEvents).where(eq(outboxEvents.messageId, messageId));
    expect(events.map((e) => e.type).sort()).toEqual(["message.received", "message.replied"]);
    expect(events.every((e) => e.processedAt)).toBe(true);
  });
});
