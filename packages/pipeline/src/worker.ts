import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";

import type { Database, Sql } from "@leadline/db/client";
import type { StructuredExtractor } from "@leadline/llm/structured";
import { outboxEvents } from "@leadline/db/schema";

import { completeMessage } from "./completion";
import { loadMessageFacts } from "./facts";
import { deliverWebhookJob, JOB_NAMES, postProcessJob, type PostProcessJob } from "./jobs";
import type { JobQueue } from "./queue";
import { STAGES } from "./registry";
import { runStage, type StageSpan } from "./runner";
import type { Stage, StageLogger, StageServices, StageState } from "./stage";
import { attemptDelivery, markDeliveryDead } from "./webhooks";

export type WorkerOptions = {
  /** Jobs of each kind processed at once by this process. */
  concurrency: number;
  /** How often the outbox relay looks for committed work that never reached the queue. */
  relayIntervalMs: number;
  /** How old unprocessed outbox events must be before the relay re-enqueues them. */
  relayAfterMs: number;
};

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
  const work = { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true } as const;
  const workerIds: string[] = [];
  for (let i = 0; i < options.concurrency; i += 1) {
    workerIds.push(
      await boss.work<PostProcessJob>(JOB_NAMES.postProcess, work, async ([job]) => {
        if (job) await processMessage(deps, services, job);
      }),
      await boss.work(JOB_NAMES.deliverWebhook, work, async ([job]) => {
        if (!job) return;
        const { deliveryId, organizationId } = deliverWebhookJob.parse(job.data);
        const outcome = await attemptDelivery(deps.db, organizationId, deliveryId);
        if (!outcome.delivered && outcome.error !== "delivery not found") throw new Error(`webhook delivery failed: ${outcome.error}`);
      }),
    );
  }
  workerIds.push(
    await boss.work(JOB_NAMES.webhookDead, work, async ([job]) => {
      if (!job) return;
      const { deliveryId, organizationId } = deliverWebhookJob.parse(job.data);
      await markDeliveryDead(deps.db, organizationId, deliveryId);
      deps.log.warn({ deliveryId }, "webhook delivery gave up after its last retry");
    }),
  );

  const relay = setInterval(() => {
    relayUnprocessed(deps, options.relayAfterMs).catch((error: unknown) => deps.log.warn({ err: error }, "outbox relay failed"));
  }, options.relayIntervalMs);
  relay.unref();

  return {
    /** Wakes this process's post-processing workers at once (no polling delay for local work). */
    notify() {
      for (const id of workerIds) boss.notifyWorker(id);
    },
    relayNow: () => relayUnprocessed(deps, 0),
    async stop() {
      clearInterval(relay);
      await Promise.all(workerIds.map((id) => boss.offWork({ id, wait: true } as PgBoss.OffWorkOptions).catch(() => {})));
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

async function processMessage(deps: WorkerDeps, services: StageServices, job: PgBoss.JobWithMetadata<PostProcessJob>) {
  const payload = postProcessJob.parse(job.data);
  const facts = await loadMessageFacts(deps.db, payload);
  if (!facts) return; // the message is gone (deleted with its session): nothing to do
  const state: StageState = {};
  const spans: StageSpan[] = [];
  const origin = performance.now();
  for (const name of payload.stages) {
    const stage = (deps.stages ?? STAGES).find((s) => s.name === name);
    if (!stage) continue;
    spans.push(await runStage({ stage, mode: "background" }, { db: deps.db, log: deps.log, facts, state, services }, origin));
  }
  const failed = spans.filter((s) => !s.ok);
  const lastAttempt = job.retryCount >= job.retryLimit;
  if (failed.length && !lastAttempt) {
    // Retried with backoff; every stage is idempotent, so those that succeeded may run again.
    throw new Error(`background stages failed: ${failed.map((s) => `${s.name} (${s.error})`).join(", ")}`);
  }
  await completeMessage(deps.db, deps.sql, {
    organizationId: payload.organizationId,
    messageId: payload.messageId,
    lagMs: Date.now() - payload.committedAt,
    spans,
    attempts: job.retryCount + 1,
  });
}

/**
 * The transactional outbox's safety net: a reply whose events were committed
 * but whose job never reached the queue (the process died in between) is
 * enqueued again from the job description saved with its message.replied event.
 */
async function relayUnprocessed(deps: WorkerDeps, olderThanMs: number) {
  const stale = await deps.db
    .select({ payload: outboxEvents.payload, organizationId: outboxEvents.organizationId, createdAt: outboxEvents.createdAt })
    .from(outboxEvents)
    .where(
      and(
        isNull(outboxEvents.processedAt),
        eq(outboxEvents.type, "message.replied"),
        lt(outboxEvents.createdAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`),
      ),
    )
    .limit(100);
  let relayed = 0;
  for (const event of stale) {
    const job = postProcessJob.safeParse({ ...(event.payload.job as object), committedAt: event.createdAt.getTime() });
    // Still waiting in the queue (a backlog, not a lost job): enqueueing it again would only add duplicates.
    if (job.success && (await isQueued(deps, job.data.messageId))) continue;
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

/** Whether a post-process job for this message is waiting or running in pg-boss's job table. */
async function isQueued(deps: WorkerDeps, messageId: string): Promise<boolean> {
  const rows = await deps.sql`
    select 1 from pgboss.job
    where name = ${JOB_NAMES.postProcess} and data ->> 'messageId' = ${messageId} and state in ('created', 'retry', 'active')
    limit 1`;
  return rows.length > 0;
}
