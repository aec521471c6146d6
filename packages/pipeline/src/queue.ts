import PgBoss from "pg-boss";

import { JOB_NAMES, type DeliverWebhookJob, type PostProcessJob } from "./jobs";

export type QueueOptions = {
  /** Webhook retries after the first attempt, with exponential backoff from retryDelaySeconds. */
  webhookRetries: number;
  webhookRetryDelaySeconds: number;
  /** Post-processing retries of a failed background run. */
  postProcessRetries: number;
  postProcessRetryDelaySeconds: number;
};

/** Postgres NOTIFY channel on which producers in other processes announce new jobs (the payload is the queue's name). */
export const QUEUE_CHANNEL = "leadline_queue";

/** Jobs sent this close together go to the queue in one insert (the work they describe is already durable in the outbox or its own row). */
const COALESCE_MS = 10;
const MAX_COALESCED = 200;

export const defaultQueueOptions: QueueOptions = {
  webhookRetries: 8,
  webhookRetryDelaySeconds: 5,
  postProcessRetries: 5,
  postProcessRetryDelaySeconds: 2,
};

/**
 * The durable queue (pg-boss, in the application's own Postgres, schema
 * "pgboss"): at-least-once, retries with exponential backoff, and a dead
 * letter queue for webhook deliveries that ran out of attempts.
 */
export async function startQueue(
  url: string,
  log: { error(obj: object, msg?: string): void },
  options: QueueOptions = defaultQueueOptions,
  /** Where a worker runs: the queue's maintenance (expiry, archiving) and its cron schedules run there, not in API-only processes. */
  { supervise = true }: { supervise?: boolean } = {},
) {
  const boss = new PgBoss({
    connectionString: url,
    schema: "pgboss",
    max: 10,
    // Kept open while idle (pg's default closes them after 10 s): a connection
    // opened under load costs its SCRAM login, a pbkdf2 hash on the event loop
    // (17 ms of the API's main thread in one fast-profile window).
    idleTimeoutMillis: 0,
    application_name: "leadline-queue",
    connectionTimeoutMillis: 5000,
    supervise,
    schedule: supervise,
    // Scheduled jobs (the daily reports) move to their queue within this; pg-boss's default looks every 5 s.
    cronWorkerIntervalSeconds: 30,
  } as PgBoss.ConstructorOptions);
  boss.on("error", (error) => log.error({ err: error }, "queue error"));
  await boss.start();
  await ensureQueue(boss, JOB_NAMES.webhookDead, {});
  await ensureQueue(boss, JOB_NAMES.deliverWebhook, {
    retryLimit: options.webhookRetries,
    retryDelay: options.webhookRetryDelaySeconds,
    retryBackoff: true,
    deadLetter: JOB_NAMES.webhookDead,
  });
  await ensureQueue(boss, JOB_NAMES.postProcess, {
    retryLimit: options.postProcessRetries,
    retryDelay: options.postProcessRetryDelaySeconds,
    retryBackoff: true,
  });
  await ensureQueue(boss, JOB_NAMES.postProcessModel, {
    retryLimit: options.postProcessRetries,
    retryDelay: options.postProcessRetryDelaySeconds,
    retryBackoff: true,
  });
  /** Told of every insert, once per insert: wakes the worker of this process, or announces the jobs to other processes. */
  let onSent: (name: string) => void = () => {};
  const sender = <T extends object>(name: string) =>
    coalesce<T>(async (jobs) => {
      await boss.insert(jobs.map((data) => ({ name, data })));
      onSent(name);
    });
  const postProcess = sender<PostProcessJob>(JOB_NAMES.postProcess);
  const postProcessModel = sender<PostProcessJob>(JOB_NAMES.postProcessModel);
  const deliverWebhook = sender<DeliverWebhookJob>(JOB_NAMES.deliverWebhook);
  return {
    boss,
    /** Resolves once the job is in the queue: jobs sent together share one insert. */
    sendPostProcess: (job: PostProcessJob) => postProcess.send(job),
    sendPostProcessModel: (job: PostProcessJob) => postProcessModel.send(job),
    sendDeliverWebhook: (job: DeliverWebhookJob) => deliverWebhook.send(job),
    /** Who hears of new jobs: set once, by the runtime. */
    setOnSent(listener: (name: string) => void) {
      onSent = listener;
    },
    async stop() {
      await Promise.all([postProcess.flush(), postProcessModel.flush(), deliverWebhook.flush()]);
      await boss.stop({ graceful: true, timeout: 10_000, wait: true });
    },
  };
}

/**
 * Collects what is sent within COALESCE_MS and inserts it in one statement;
 * each sender's promise settles with that insert.
 */
function coalesce<T>(insert: (items: T[]) => Promise<void>) {
  let pending: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | null = null;
  async function flush() {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = [];
    if (!batch.length) return;
    try {
      await insert(batch.map((p) => p.item));
      for (const p of batch) p.resolve();
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
  return {
    send(item: T): Promise<void> {
      return new Promise((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (pending.length >= MAX_COALESCED) void flush();
        else timer ??= setTimeout(() => void flush(), COALESCE_MS);
      });
    },
    flush,
  };
}

/** Creates the queue, or brings an existing one to these options (pg-boss v10 needs a queue before send, work or schedule). */
export async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, "name">) {
  const existing = await boss.getQueue(name);
  if (existing) await boss.updateQueue(name, { name, ...options });
  else await boss.createQueue(name, { name, ...options });
}

export type JobQueue = Awaited<ReturnType<typeof startQueue>>;
