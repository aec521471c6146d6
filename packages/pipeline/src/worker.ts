import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type PgBoss from "pg-boss";

import type { Database, Sql } from "@leadline/db/client";
import type { StructuredExtractor } from "@leadline/llm/structured";
import { outboxEvents, webhookDeliveries } from "@leadline/db/schema";

import { completeMessages, recordModelLanes, type FinishedRun } from "./completion";
import { loadManyMessageFacts } from "./facts";
import { deliverWebhookJob, JOB_NAMES, postProcessJob, type PostProcessJob } from "./jobs";
import { QUEUE_CHANNEL, type JobQueue } from "./queue";
import { STAGES } from "./registry";
import { groupByDependencies } from "./plan";
import { runStageBatch, type StageSpan } from "./runner";
import type { MessageFacts, Stage, StageLogger, StageServices, StageState } from "./stage";
import { attemptDelivery, markDeliveryDead } from "./webhooks";
import { eachJob, workInBatches, type BatchOutcome } from "./batch-work";

export type WorkerOptions = {
  /** Jobs of each kind processed at once by this process. */
  concurrency: number;
  /** Model-lane jobs at once; default the same as concurrency. */
  modelConcurrency?: number;
  /** How often the outbox relay looks for committed work that never reached the queue. */
  relayIntervalMs: number;
  /** How old unprocessed outbox events must be before the relay re-enqueues them. */
  relayAfterMs: number;
  /** How often the idle queues are looked at when no wake-up came (retries coming due, producers that announce nothing). */
  idlePollMs?: number;
  /** How long work gathers after a wake-up before it is claimed in one batch. */
  gatherMs?: number;
};

/** How long stopping waits for jobs under way; a job cut short after that is retried by the queue. */
const STOP_WAIT_MS = 10_000;

export const defaultWorkerOptions: WorkerOptions = { concurrency: 4, relayIntervalMs: 15_000, relayAfterMs: 15_000 };

/**
 * Wake-ups bring new work at once; the poll only catches what nobody
 * announced, such as a retry coming due or a job another process left. It is
 * one look at all of this worker's queues (see findQueuesWithWork), not a
 * claim on each: an idle worker then costs one small query per interval.
 */
const IDLE_POLL_MS = 5_000;
/**
 * A batch costs about the same few dozen statements however many messages
 * it holds, so work is let gather this long after a wake-up. Measured at ~20
 * messages a second: 20 ms gave batches of 2 and ~14 ms of worker CPU per
 * message, 250 ms batches of 9 and ~7 ms, the background lag's p95 still
 * under 0.5 s (its goal is 1 s).
 */
const GATHER_MS = 200;

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
  // The loops claim when woken; the look below wakes those whose jobs nobody announced.
  const batching = { idlePollMs: null, gatherMs: options.gatherMs ?? GATHER_MS };
  const queues: Record<string, ReturnType<typeof workInBatches>> = {
    [JOB_NAMES.postProcess]: workInBatches<PostProcessJob>(boss, JOB_NAMES.postProcess, { ...batching, concurrency: options.concurrency }, (jobs) =>
      processMessages(deps, services, jobs),
    ),
    [JOB_NAMES.postProcessModel]: workInBatches<PostProcessJob>(
      boss,
      JOB_NAMES.postProcessModel,
      { ...batching, concurrency: options.modelConcurrency ?? options.concurrency },
      (jobs) => processModelLanes(deps, services, jobs),
    ),
    [JOB_NAMES.deliverWebhook]: workInBatches(
      boss,
      JOB_NAMES.deliverWebhook,
      { ...batching, concurrency: options.concurrency, onExhausted: () => wake(JOB_NAMES.webhookDead) },
      eachJob(async (job) => {
        const { deliveryId, organizationId } = deliverWebhookJob.parse(job.data);
        const outcome = await attemptDelivery(deps.db, organizationId, deliveryId);
        if (!outcome.delivered && outcome.error !== "delivery not found") throw new Error(`webhook delivery failed: ${outcome.error}`);
      }),
    ),
    [JOB_NAMES.webhookDead]: workInBatches(
      boss,
      JOB_NAMES.webhookDead,
      { ...batching, concurrency: 1 },
      eachJob(async (job) => {
        const { deliveryId, organizationId } = deliverWebhookJob.parse(job.data);
        await markDeliveryDead(deps.db, organizationId, deliveryId);
        deps.log.warn({ deliveryId }, "webhook delivery gave up after its last retry");
      }),
    ),
  };
  const wake = (name: string) => queues[name]?.wake();
  // Jobs this process sends wake its own loops; other processes announce theirs with NOTIFY.
  deps.queue.setOnSent(wake);
  const announcements = await deps.sql.listen(QUEUE_CHANNEL, wake);
  const look = setInterval(() => {
    findQueuesWithWork(deps.sql, Object.keys(queues)).then(
      (names) => names.forEach(wake),
      (error: unknown) => deps.log.warn({ err: error }, "looking for unannounced jobs failed"),
    );
  }, options.idlePollMs ?? IDLE_POLL_MS);
  look.unref();

  const relay = setInterval(() => {
    relayUnprocessed(deps, options.relayAfterMs).catch((error: unknown) => deps.log.warn({ err: error }, "outbox relay failed"));
    relayUndelivered(deps, options.relayAfterMs).catch((error: unknown) => deps.log.warn({ err: error }, "webhook delivery relay failed"));
  }, options.relayIntervalMs);
  relay.unref();

  return {
    /** New jobs of this queue were sent elsewhere in this process (the request thread): claim them now, not at the next poll. */
    wake,
    relayNow: () => relayUnprocessed(deps, 0),
    relayDeliveriesNow: () => relayUndelivered(deps, 0),
    /** Stops taking jobs and lets those under way finish (up to STOP_WAIT_MS), so the pool closing after this cuts none short. */
    async stop() {
      clearInterval(relay);
      clearInterval(look);
      await announcements.unlisten().catch(() => {});
      await Promise.all(Object.values(queues).map((queue) => queue.stop(STOP_WAIT_MS)));
    },
  };
}

export type Worker = Awaited<ReturnType<typeof startWorker>>;

/**
 * The queues among `names` with a job that could be claimed now (pg-boss's
 * own test for a claim: waiting or to retry, its start time passed), in one
 * read of the queue's table. A claim per queue cost an update statement each,
 * several times per interval, for nothing while the worker is idle.
 */
async function findQueuesWithWork(sql_: Sql, names: readonly string[]): Promise<string[]> {
  // An array literal: queue names are this module's constants (letters and hyphens).
  const rows = await sql_<{ name: string }[]>`
    select distinct name from pgboss.job where name = any(${`{${names.join(",")}}`}::text[]) and state < 'active' and start_after < now()`;
  return rows.map((row) => row.name);
}

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

/** One message of a batch as the worker carries it through its stages. */
type Message = { payload: PostProcessJob; job: PgBoss.JobWithMetadata<PostProcessJob>; facts: MessageFacts; state: StageState; quick: Stage[]; model: Stage[]; spans: StageSpan[] };

/**
 * A batch of messages' quick background stages. Their facts come in one
 * query; each stage then runs once for all the messages that need it (in
 * one statement where the stage can), independent stages together (the
 * same dependency levels as inline parallel mode); then all are marked done
 * in one statement. A message whose stage failed is failed alone (retried
 * with backoff). Stages on the model lane go to jobs of their own after that.
 */
async function processMessages(deps: WorkerDeps, services: StageServices, jobs: PgBoss.JobWithMetadata<PostProcessJob>[]): Promise<BatchOutcome> {
  const outcome: BatchOutcome = jobs.map(() => null);
  const parsed = jobs.map((job) => postProcessJob.safeParse(job.data));
  parsed.forEach((p, i) => {
    if (!p.success) outcome[i] = new Error(`invalid post-process job: ${p.error.message}`);
  });
  const payloads = parsed.flatMap((p) => (p.success ? [p.data] : []));
  const facts = await loadManyMessageFacts(deps.db, payloads);
  // A message sent twice (the relay and its first job, both in this batch) is worked on once; its copies share the outcome.
  const messages = new Map<string, Message>();
  const copyOf: (Message | undefined)[] = jobs.map(() => undefined);
  jobs.forEach((job, i) => {
    const p = parsed[i];
    const found = p?.success ? facts.get(p.data.messageId) : undefined;
    if (!p?.success || !found) return; // a message that is gone (deleted with its session) has nothing left to do
    const message = messages.get(p.data.messageId) ?? { payload: p.data, job, facts: found, state: {}, ...stagesOf(deps, p.data), spans: [] };
    messages.set(p.data.messageId, message);
    copyOf[i] = message;
  });
  const all = [...messages.values()];
  const registry = deps.stages ?? STAGES;
  const quick = registry.filter((stage) => all.some((m) => m.quick.includes(stage)));
  const origin = performance.now();
  for (const group of groupByDependencies(quick)) {
    await Promise.all(
      group.map(async ({ stage }) => {
        const members = all.filter((m) => m.quick.includes(stage));
        const spans = await runStageBatch(
          stage,
          members.map((m) => ({ db: deps.db, log: deps.log, facts: m.facts, state: m.state, services })),
          origin,
        );
        members.forEach((m, k) => m.spans.push(spans[k]!));
      }),
    );
  }

  const failedOf = (m: Message) => m.spans.filter((s) => !s.ok);
  // Retried with backoff; every stage is idempotent, so those that succeeded may run again. The last attempt records what it got.
  const retried = new Set(all.filter((m) => failedOf(m).length && m.job.retryCount < m.job.retryLimit));
  const finished = all.filter((m) => !retried.has(m));
  const runs: FinishedRun[] = finished.map((m) => ({
    organizationId: m.payload.organizationId,
    messageId: m.payload.messageId,
    lagMs: Date.now() - m.payload.committedAt,
    spans: m.spans,
    attempts: m.job.retryCount + 1,
  }));
  let unfinished: unknown = null;
  try {
    await completeMessages(deps.sql, runs);
    // After the runs exist (the model lane adds to them). If this fails the jobs are retried, so no lane is lost.
    await Promise.all(finished.filter((m) => m.model.length).map((m) => deps.queue.sendPostProcessModel({ ...m.payload, stages: m.model.map((s) => s.name) })));
  } catch (error) {
    unfinished = error;
  }
  copyOf.forEach((m, i) => {
    if (!m) return;
    if (retried.has(m)) outcome[i] = new Error(`background stages failed: ${failedOf(m).map((s) => `${s.name} (${s.error})`).join(", ")}`);
    else if (unfinished) outcome[i] = unfinished;
  });
  return outcome;
}

/**
 * A batch of messages' model lanes: their facts in one query, then each
 * model stage once for all the messages that have it (a model call per
 * message, side by side; the database work in one go), then all their spans
 * added to the messages' background runs in one statement.
 */
async function processModelLanes(deps: WorkerDeps, services: StageServices, jobs: PgBoss.JobWithMetadata<PostProcessJob>[]): Promise<BatchOutcome> {
  const parsed = jobs.map((job) => postProcessJob.safeParse(job.data));
  const facts = await loadManyMessageFacts(deps.db, parsed.flatMap((p) => (p.success ? [p.data] : [])));
  const lanes = jobs.map((job, i) => {
    const p = parsed[i]!;
    const found = p.success ? facts.get(p.data.messageId) : undefined;
    // A message that is gone has nothing left to do.
    return p.success && found ? { job, payload: p.data, facts: found, stages: stagesOf(deps, p.data).model, spans: [] as StageSpan[] } : null;
  });
  const registry = deps.stages ?? STAGES;
  const origin = performance.now();
  for (const stage of registry.filter((s) => s.lane === "model")) {
    const members = lanes.filter((lane) => lane?.stages.includes(stage)).map((lane) => lane!);
    if (!members.length) continue;
    const spans = await runStageBatch(stage, members.map((lane) => ({ db: deps.db, log: deps.log, facts: lane.facts, state: {}, services })), origin);
    members.forEach((lane, k) => lane.spans.push(spans[k]!));
  }
  const failures = lanes.map((lane) => {
    const failed = lane?.spans.filter((s) => !s.ok) ?? [];
    return lane && failed.length && lane.job.retryCount < lane.job.retryLimit ? new Error(`model-lane stages failed: ${failed.map((s) => `${s.name} (${s.error})`).join(", ")}`) : null;
  });
  const recorded = lanes.flatMap((lane, i) =>
    lane && !failures[i] ? [{ organizationId: lane.payload.organizationId, messageId: lane.payload.messageId, spans: lane.spans, lagMs: Date.now() - lane.payload.committedAt }] : [],
  );
  let unrecorded: unknown = null;
  await recordModelLanes(deps.sql, recorded).catch((error: unknown) => (unrecorded = error));
  return jobs.map((_, i) => {
    const p = parsed[i]!;
    if (!p.success) return new Error(`invalid post-process job: ${p.error.message}`);
    return failures[i] ?? (lanes[i] && unrecorded) ?? null;
  });
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
  const jobs = stale.flatMap((event) => {
    const job = postProcessJob.safeParse({ ...(event.payload.job as object), committedAt: event.createdAt.getTime() });
    if (job.success) return [job.data];
    deps.log.warn({ payload: event.payload }, "outbox event without a valid job description");
    return [];
  });
  // Sent together, they go to the queue in one insert.
  await Promise.all(jobs.map((job) => deps.queue.sendPostProcess(job)));
  const relayed = jobs.length;
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
  await Promise.all(stranded.map((delivery) => deps.queue.sendDeliverWebhook({ deliveryId: delivery.id, organizationId: delivery.organizationId })));
  if (stranded.length) deps.log.info({ count: stranded.length }, "webhook relay re-enqueued deliveries that never reached the queue");
  return stranded.length;
}
