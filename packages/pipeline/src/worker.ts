import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";

import type { Database, Sql } from "@leadline/db/client";
import type { StructuredExtractor } from "@leadline/llm/structured";
import { outboxEvents, webhookDeliveries } from "@leadline/db/schema";

import { completeMessage, recordModelLane } from "./completion";
import { loadMessageFacts } from "./facts";
import { deliverWebhookJob, JOB_NAMES, postProcessJob, type PostProcessJob } from "./jobs";
import type { JobQueue } from "./queue";
import { STAGES } from "./registry";
import { groupByDependencies } from "./plan";
import { runInlineGroups, runStage, type StageSpan } from "./runner";
import type { Stage, StageLogger, StageServices } from "./stage";
import { attemptDelivery, markDeliveryDead } from "./webhooks";
import { workInBatches } from "./batch-work";

export type WorkerOptions = {
  /** Jobs of each kind processed at once by this process. */
  concurrency: number;
  /** Model-lane jobs at once; default the same as concurrency. */
  modelConcurrency?: number;
  /** How often the outbox relay looks for committed work that never reached the queue. */
  relayIntervalMs: number;
  /** How old unprocessed outbox events must be before the relay re-enqueues them. */
  relayAfterMs: number;
};

/** How long stopping waits for jobs under way; a job cut short after that is retried by the queue. */
const STOP_WAIT_MS = 10_000;

export const defaultWorkerOptions: WorkerOptions = { concurrency: 4, relayIntervalMs: 5_000, relayAfterMs: 15_000 };

type WorkerDeps = {
  db: Database;
  sql: Sql;
  log: StageLogger & { info(obj: object, msg?: string): void };
  queue: JobQueue;
  /** The stage registry (tests add their own). */
  stages?: readonly Stage[];
  structured?: StructuredExtractor | null;
};

/**
 * The background worker: thin handlers that call the same stage functions as
 * the inline path. Runs inside the API process (ROLE=all) or alone (ROLE=worker).
 */
export async function startWorker(deps: WorkerDeps, options: WorkerOptions = defaultWorkerOptions) {
  const { boss } = deps.queue;
  const services = { ...createQueueServices(deps.queue), structured: deps.structured ?? null };
  const postProcess = await workInBatches<PostProcessJob>(boss, JOB_NAMES.postProcess, options.concurrency, (job) => processMessage(deps, services, job));
  const queues = [
    postProcess,
    await workInBatches<PostProcessJob>(boss, JOB_NAMES.postProcessModel, options.modelConcurrency ?? options.concurrency, (job) => processModelLane(deps, services, job)),
    await workInBatches(boss, JOB_NAMES.deliverWebhook, options.concurrency, async (job) => {
      const { deliveryId, organizationId } = deliverWebhookJob.parse(job.data);
      const outcome = await attemptDelivery(deps.db, organizationId, deliveryId);
      if (!outcome.delivered && outcome.error !== "delivery not found") throw new Error(`webhook delivery failed: ${outcome.error}`);
    }),
    await workInBatches(boss, JOB_NAMES.webhookDead, 1, async (job) => {
      const { deliveryId, organizationId } = deliverWebhookJob.parse(job.data);
      await markDeliveryDead(deps.db, organizationId, deliveryId);
      deps.log.warn({ deliveryId }, "webhook delivery gave up after its last retry");
    }),
  ];

  const relay = setInterval(() => {
    relayUnprocessed(deps, options.relayAfterMs).catch((error: unknown) => deps.log.warn({ err: error }, "outbox relay failed"));
    relayUndelivered(deps, options.relayAfterMs).catch((error: unknown) => deps.log.warn({ err: error }, "webhook delivery relay failed"));
  }, options.relayIntervalMs);
  relay.unref();

  let next = 0;
  return {
    /** Wakes one of this process's idle post-processing workers at once (no polling delay for local work). */
    notify() {
      const id = postProcess.ids[(next = (next + 1) % postProcess.ids.length)];
      if (id) boss.notifyWorker(id);
    },
    relayNow: () => relayUnprocessed(deps, 0),
    relayDeliveriesNow: () => relayUndelivered(deps, 0),
    /** Stops taking jobs and lets those under way finish (up to STOP_WAIT_MS), so the pool closing after this cuts none short. */
    async stop() {
      clearInterval(relay);
      await Promise.all(queues.map((queue) => queue.stop(STOP_WAIT_MS)));
    },
  };
}

export type Worker = Awaited<ReturnType<typeof startWorker>>;

/** Webhooks found by a background stage are delivered by their own jobs, each with its own retries. */
export function createQueueServices(queue: JobQueue): StageServices {
  return {
    async deliverWebhook(deliveryId, _mode, organizationId) {
      await queue.sendDeliverWebhook({ deliveryId, organizationId });
    },
  };
}

/** This job's stages from the registry, split into the quick ones and those on the model lane. */
function stagesOf(deps: WorkerDeps, payload: PostProcessJob) {
  const registry = deps.stages ?? STAGES;
  const named = payload.stages.map((name) => registry.find((s) => s.name === name)).filter((s): s is Stage => s !== undefined);
  return { quick: named.filter((s) => s.lane !== "model"), model: named.filter((s) => s.lane === "model") };
}

/**
 * A message's quick background stages: independent ones together (the same
 * dependency levels as inline parallel mode), then the message is marked
 * done. Stages on the model lane go to a job of their own after that.
 */
async function processMessage(deps: WorkerDeps, services: StageServices, job: PgBoss.JobWithMetadata<PostProcessJob>) {
  const payload = postProcessJob.parse(job.data);
  const facts = await loadMessageFacts(deps.db, payload);
  if (!facts) return; // the message is gone (deleted with its session): nothing to do
  const { quick, model } = stagesOf(deps, payload);
  const groups = groupByDependencies(quick).map((group) => group.map(({ stage }) => ({ stage, mode: "background" as const })));
  const spans = await runInlineGroups(groups, { db: deps.db, log: deps.log, facts, state: {}, services }, performance.now());
  const failed = spans.filter((s) => !s.ok);
  const lastAttempt = job.retryCount >= job.retryLimit;
  if (failed.length && !lastAttempt) {
    // Retried with backoff; every stage is idempotent, so those that succeeded may run again.
    throw new Error(`background stages failed: ${failed.map((s) => `${s.name} (${s.error})`).join(", ")}`);
  }
  await completeMessage(deps.sql, {
    organizationId: payload.organizationId,
    messageId: payload.messageId,
    lagMs: Date.now() - payload.committedAt,
    spans,
    attempts: job.retryCount + 1,
  });
  // After the run's row exists (the model lane adds to it). If this fails the job is retried, so the lane is never lost.
  if (model.length) await deps.queue.sendPostProcessModel({ ...payload, stages: model.map((s) => s.name) });
}

/** The model lane of one message: its stages in order, then their spans added to the message's background run. */
async function processModelLane(deps: WorkerDeps, services: StageServices, job: PgBoss.JobWithMetadata<PostProcessJob>) {
  const payload = postProcessJob.parse(job.data);
  const facts = await loadMessageFacts(deps.db, payload);
  if (!facts) return;
  const origin = performance.now();
  const spans: StageSpan[] = [];
  for (const stage of stagesOf(deps, payload).model) {
    spans.push(await runStage({ stage, mode: "background" }, { db: deps.db, log: deps.log, facts, state: {}, services }, origin));
  }
  const failed = spans.filter((s) => !s.ok);
  if (failed.length && job.retryCount < job.retryLimit) {
    throw new Error(`model-lane stages failed: ${failed.map((s) => `${s.name} (${s.error})`).join(", ")}`);
  }
  await recordModelLane(deps.db, payload.organizationId, payload.messageId, spans, Date.now() - payload.committedAt);
}

/**
 * The transactional outbox's safety net: a reply whose events were committed
 * but whose job never reached the queue (the process died in between) is
 * enqueued again from the job description saved with its message.replied event.
 */
async function relayUnprocessed(deps: WorkerDeps, olderThanMs: number) {
  // One statement: an event whose message has a post-process job waiting,
  // running or just finished (about to mark the event processed) was enqueued
  // and is not lost; sending it again would only add a duplicate. A job that
  // failed for good or was cancelled does not count.
  const stale = await deps.db
    .select({ payload: outboxEvents.payload, createdAt: outboxEvents.createdAt })
    .from(outboxEvents)
    .where(
      and(
        isNull(outboxEvents.processedAt),
        eq(outboxEvents.type, "message.replied"),
        lt(outboxEvents.createdAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`),
        sql`not exists (select 1 from pgboss.job j where j.name = ${JOB_NAMES.postProcess} and j.data ->> 'messageId' = ${outboxEvents.messageId}::text and j.state not in ('failed', 'cancelled'))`,
      ),
    )
    .limit(100);
  let relayed = 0;
  for (const event of stale) {
    const job = postProcessJob.safeParse({ ...(event.payload.job as object), committedAt: event.createdAt.getTime() });
    if (!job.success) {
      deps.log.warn({ payload: event.payload }, "outbox event without a valid job description");
      continue;
    }
    await deps.queue.sendPostProcess(job.data);
    relayed += 1;
  }
  if (relayed) deps.log.info({ count: relayed }, "outbox relay re-enqueued committed work");
  return relayed;
}

/**
 * The same safety net for webhook deliveries: the guard, the alert evaluator
 * and the notify-webhooks stage commit a delivery, then hand it to the queue.
 * One whose hand-off failed (the queue's database call failed, the process
 * died in between) has never been attempted and has no job: it is enqueued
 * again. A delivery that was attempted at least once has, or had, its job
 * with its own retries and dead letter, so it is never sent twice from here.
 */
async function relayUndelivered(deps: WorkerDeps, olderThanMs: number) {
  const stranded = await deps.db
    .select({ id: webhookDeliveries.id, organizationId: webhookDeliveries.organizationId })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        eq(webhookDeliveries.attempts, 0),
        lt(webhookDeliveries.createdAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`),
        sql`not exists (select 1 from pgboss.job j where j.name = ${JOB_NAMES.deliverWebhook} and j.data ->> 'deliveryId' = ${webhookDeliveries.id}::text)`,
      ),
    )
    .limit(100);
  for (const delivery of stranded) await deps.queue.sendDeliverWebhook({ deliveryId: delivery.id, organizationId: delivery.organizationId });
  if (stranded.length) deps.log.info({ count: stranded.length }, "webhook relay re-enqueued deliveries that never reached the queue");
  return stranded.length;
}
