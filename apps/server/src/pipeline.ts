import type { Database, Sql } from "@leadline/db/client";
import { startPipelineRuntime } from "@leadline/pipeline/runtime";
import type { StructuredExtractor } from "@leadline/llm/structured";
import type { Stage } from "@leadline/pipeline/stage";
import type { TurnDeps } from "@leadline/pipeline/turn";

import type { Env } from "./env";
import type { AppLogger } from "./logger";

/** The pipeline runtime configured from the environment; the worker runs unless ROLE=api. */
export function startPipeline(
  env: Env,
  log: AppLogger,
  database: { url: string; db: Database; sql: Sql },
  llm: TurnDeps["llm"],
  structured: StructuredExtractor,
  extras: {
    /** Tests only: a stage registry of their own. */
    stages?: readonly Stage[];
    /** Wakes the worker of a worker thread (ROLE=all with WORKER_THREAD=1) for new jobs of a queue; see worker-thread.ts. */
    notifyWorker?: (queue: string) => void;
    /** False in the worker thread, which serves no /metrics. */
    processMetrics?: boolean;
  } = {},
) {
  return startPipelineRuntime(database, log, llm, {
    runWorker: env.ROLE !== "api",
    preparedStatements: env.DB_PREPARE === "1",
    queue: { webhookRetries: env.WEBHOOK_RETRIES, webhookRetryDelaySeconds: env.WEBHOOK_RETRY_DELAY_S, postProcessRetries: 5, postProcessRetryDelaySeconds: 1 },
    worker: { concurrency: env.WORKER_CONCURRENCY, relayIntervalMs: 15_000, relayAfterMs: env.OUTBOX_RELAY_AFTER_MS },
    enhancementWindowMs: env.ENHANCEMENT_WINDOW_MS,
    answersChat: env.ROLE !== "worker",
    structured,
    redisUrl: env.REDIS_URL,
    ...extras,
  });
}
