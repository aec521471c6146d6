import { createDatabase, type Database, type Sql } from "@leadline/db/client";
import type { StructuredExtractor } from "@leadline/llm/structured";

import { createPipelineCache } from "./cache";
import { listenForBackgroundDone } from "./enhancement";
import { createPipelineMetrics } from "./metrics";
import { QUEUE_CHANNEL, startQueue, type QueueOptions } from "./queue";
import { createRateBook } from "./rates";
import type { Stage } from "./stage";
import { createTimingsWriter } from "./timings";
import type { TurnDeps } from "./turn";
import { createQueueServices, startWorker, type Worker, type WorkerOptions } from "./worker";

export type RuntimeOptions = {
  /** Run the background worker in this process (ROLE=all or worker). */
  runWorker: boolean;
  /** The worker's own pool uses prepared statements (default true; see createDatabase). */
  preparedStatements?: boolean;
  queue: QueueOptions;
  worker: WorkerOptions;
  enhancementWindowMs: number;
  stages?: readonly Stage[];
  /** Model-based extraction for the detailed scoring stage; none: that stage does nothing. */
  structured?: StructuredExtractor | null;
  /** Shared L2 for the cache across server instances; none: memory only. */
  redisUrl?: string;
  /** False where nothing serves /metrics (a worker thread): no sampling of the process. */
  processMetrics?: boolean;
  /** Wakes a worker elsewhere (a worker thread of this process) for new jobs of a queue, when this process runs none itself. */
  notifyWorker?: (queue: string) => void;
  /** False where no visitor is answered (ROLE=worker, the worker thread): no stream waits for an "enhanced" event there. */
  answersChat?: boolean;
};

type Log = TurnDeps["log"] & { info(obj: object, msg?: string): void };

/**
 * The pipeline's long-lived parts for one process: the durable queue, the
 * worker (unless this is an API-only process), the batched timings writer,
 * metrics, and the listener for finished background work.
 */
export async function startPipelineRuntime(database: { url: string; db: Database; sql: Sql }, log: Log, llm: TurnDeps["llm"], options: RuntimeOptions) {
  const queue = await startQueue(database.url, log, options.queue, { supervise: options.runWorker });
  let worker: Worker | null = null;
  // Background work gets connections of its own, so a backlog of jobs never
  // makes a visitor's lookups or save wait for a pooled connection.
  const workerDatabase = options.runWorker ? createDatabase(database.url, { max: options.worker.concurrency + 2, prepare: options.preparedStatements ?? true }) : null;
  try {
    if (workerDatabase) {
      worker = await startWorker({ db: workerDatabase.db, sql: workerDatabase.sql, log, queue, stages: options.stages, structured: options.structured }, options.worker);
    }
  } catch (error) {
    await queue.stop();
    await workerDatabase?.close();
    throw error;
  }
  if (!worker) {
    // No worker here: new jobs wake the worker thread, or are announced to the worker processes.
    const announce = (name: string) => void database.sql`select pg_notify(${QUEUE_CHANNEL}, ${name})`.catch(() => {}); // their poll still finds the jobs
    queue.setOnSent(options.notifyWorker ?? announce);
  }
  const timings = createTimingsWriter(database.db, log);
  const cache = createPipelineCache({ redisUrl: options.redisUrl, log });
  // Every finished message is announced to each listener: a process that answers no visitor does not listen.
  const background = (options.answersChat ?? true) ? await listenForBackgroundDone(database.sql) : null;
  const metrics = createPipelineMetrics(() => cache.stats(), { processMetrics: options.processMetrics ?? true });
  const deps: TurnDeps = {
    db: database.db,
    sql: database.sql,
    log,
    llm,
    rates: createRateBook(database.db, cache),
    cache,
    timings,
    metrics,
    queue,
    background,
    services: { ...createQueueServices(queue), structured: options.structured ?? null },
    enhancementWindowMs: options.enhancementWindowMs,
    stages: options.stages,
  };
  return {
    deps,
    worker,
    metrics,
    queue,
    async stop() {
      await worker?.stop();
      await timings.stop();
      await background?.stop().catch(() => {});
      // The queue stops after the jobs it has handed out finish (a batch fetched while the worker was
      // stopping included), so the worker's pool closes only then.
      await queue.stop();
      await workerDatabase?.close();
      await cache.close();
    },
  };
}

export type PipelineRuntime = Awaited<ReturnType<typeof startPipelineRuntime>>;
