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
    application_name: "leadline-queue",
    connectionTimeoutMillis: 5000,
    supervise,
    schedule: supervise,
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
  return {
    boss,
    sendPostProcess: (job: PostProcessJob) => boss.send(JOB_NAMES.postProcess, job),
    sendPostProcessModel: (job: PostProcessJob) => boss.send(JOB_NAMES.postProcessModel, job),
    sendDeliverWebhook: (job: DeliverWebhookJob) => boss.send(JOB_NAMES.deliverWebhook, job),
    stop: () => boss.stop({ graceful: true, timeout: 10_000, wait: true }),
  };
}

/** Creates the queue, or brings an existing one to these options (pg-boss v10 needs a queue before send, work or schedule). */
export async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, "name">) {
  const existing = await boss.getQueue(name);
  if (existing) await boss.updateQueue(name, { name, ...options });
  else await boss.createQueue(name, { name, ...options });
}

export type JobQueue = Awaited<ReturnType<typeof startQueue>>;
