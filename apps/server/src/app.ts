import { startAlertEvaluator } from "@leadline/api/alerts/evaluate";
import { createRateLimiter } from "@leadline/api/limits/rate-limits";
import { createSpendLedger } from "@leadline/api/limits/spend-ledger";
import { createRefusalCounter } from "@leadline/api/limits/refusal-counter";
import { startReportJobs } from "@leadline/api/reports/jobs";
import { migrateDatabase } from "@leadline/db/migrate";

import { connectDatabase } from "./database";
import { limitDefaultsOf, type Env } from "./env";
import { createApiServer } from "./http";
import { defaultFlags, staticFlagResolver, type FlagResolver } from "@leadline/flags/definitions";
import { defaultGuardOptions, startGuard } from "@leadline/flags/guard";
import { createUnleashAdmin, type UnleashAdmin } from "@leadline/flags/unleash-admin";
import type { Stage } from "@leadline/pipeline/stage";

import { startFlags, type UnleashTarget } from "./flags";
import { createLlm, createStructured, type LlmTarget } from "./llm";
import { startPipeline } from "./pipeline";
import { openRateLimitStore } from "./rate-limit-store";
import { startWorkerThread, type WorkerThread } from "./worker-thread";
import type { AppLogger } from "./logger";

export const VERSION = "0.1.0";

/**
 * The worker thread answers no requests, so it resolves no flags: it needs
 * Unleash's Admin API (the rollout guard) but no client polling Unleash
 * every few seconds.
 */
function adminOnlyFlags(target: UnleashTarget | null) {
  const admin = target?.adminToken ? createUnleashAdmin({ url: target.url, token: target.adminToken }) : null;
  return { resolver: staticFlagResolver(defaultFlags()), admin, stop() {} };
}

/**
 * Composition root of one server process: migrate, connect, serve. Returns
 * the URL and a stop() that drains requests and closes the pool.
 */
export async function startServer(
  processEnv: Env,
  log: AppLogger,
  options: {
    databaseUrl: string;
    sessionSecret: string;
    llm: LlmTarget;
    flags?: FlagResolver;
    unleash?: UnleashTarget | null;
    unleashAdmin?: UnleashAdmin;
    stages?: readonly Stage[];
    /** ROLE=all: run the worker in a worker thread of this process (see worker-thread.ts). Off in tests, which run everything on one loop. */
    workerThread?: boolean;
    /** False in the worker thread: no HTTP port. */
    listen?: boolean;
  },
) {
  // With a worker thread this thread is the API; the thread is the worker.
  const threaded = options.workerThread === true && processEnv.ROLE === "all";
  const env: Env = threaded ? { ...processEnv, ROLE: "api" } : processEnv;
  // Connect first: a dead database is reported in one line before anything else runs.
  const database = await connectDatabase(options.databaseUrl, env);
  try {
    await migrateDatabase(options.databaseUrl, (m) => log.info(m));
  } catch (error) {
    await database.close();
    throw error;
  }
  const llm = createLlm(env, options.llm);
  const flags = options.flags
    ? { resolver: options.flags, admin: options.unleashAdmin ?? null, stop() {} }
    : options.listen === false
      ? adminOnlyFlags(options.unleash ?? null)
      : await startFlags(env, log, options.unleash ?? null);
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  let workerThread: WorkerThread | null = null;
  try {
    pipeline = await startPipeline(env, log, { url: options.databaseUrl, ...database }, llm, createStructured(env, options.llm), {
      stages: options.stages,
      // With a worker thread, new jobs wake it; without, they are announced to worker processes (see runtime.ts).
      notifyWorker: threaded ? (queue) => workerThread?.notify(queue) : undefined,
      processMetrics: options.listen !== false,
    });
  } catch (error) {
    flags.stop();
    await database.close();
    throw error;
  }
  // The rollout guard and the alert evaluator run where the worker runs; advisory locks keep each to one process.
  const worker = env.ROLE !== "api";
  const deliver = (deliveryId: string, organizationId: string) => pipeline.queue.sendDeliverWebhook({ deliveryId, organizationId }).then(() => {});
  const guard =
    flags.admin && worker
      ? startGuard(
          { url: options.databaseUrl, db: database.db, admin: flags.admin, log, deliver },
          env.GUARD_INTERVAL_MS,
          { ...defaultGuardOptions, windowMinutes: env.GUARD_WINDOW_MINUTES, minSamples: env.GUARD_MIN_SAMPLES },
        )
      : null;
  const alerting = worker ? startAlertEvaluator({ url: options.databaseUrl, db: database.db, log, deliver }, { intervalMs: env.ALERT_INTERVAL_MS, minSamples: env.ALERT_MIN_SAMPLES }) : null;
  let reports: Awaited<ReturnType<typeof startReportJobs>> | null = null;
  const rateLimits = openRateLimitStore(env.REDIS_URL, database.db, log);
  const refusals = createRefusalCounter(database.db, log);
  const spend = createSpendLedger(database.db, log);
  /** Everything started so far, in reverse order: on shutdown, and when a later step fails to start. */
  const stopAll = async () => {
    // Each step runs even if one before it fails, so the pool and the database always close.
    const steps = [
      () => workerThread?.stop(),
      () => reports?.stop(),
      () => alerting?.stop(),
      () => guard?.stop(),
      () => refusals.stop(),
      () => spend.stop(),
      () => rateLimits.close(),
      () => pipeline.stop(),
      () => flags.stop(),
      () => database.close(),
    ];
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        log.warn({ err: error }, "a part of the server did not stop cleanly");
      }
    }
  };
  try {
    reports = worker ? await startReportJobs({ queue: pipeline.queue, db: database.db, log }, { cron: env.REPORT_CRON }) : null;
    if (threaded) {
      const { databaseUrl, sessionSecret, llm: llmTarget, unleash = null } = options;
      workerThread = await startWorkerThread({ env: processEnv, options: { databaseUrl, sessionSecret, llm: llmTarget, unleash }, pretty: process.stdout.isTTY === true }, log);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  const services = {
    db: database.db,
    sql: database.sql,
    log,
    config: {
      sessionSecret: options.sessionSecret,
      sessionTtlSeconds: env.SESSION_TTL_S,
      maxMessageChars: env.MAX_MESSAGE_CHARS,
      version: VERSION,
      allowFlagOverride: env.ALLOW_FLAG_OVERRIDE === "1",
      adminOrigins: [env.adminOrigin],
      widgetOrigins: [env.widgetOrigin],
      operatorOrganization: env.OPERATOR_ORGANIZATION,
      trustedProxyHops: env.TRUSTED_PROXY_HOPS,
      tokenBatchMs: env.TOKEN_BATCH_MS,
      limits: limitDefaultsOf(env),
      maxOutputTokens: env.LLM_MAX_OUTPUT_TOKENS,
    },
    llm,
    flags: flags.resolver,
    pipeline: pipeline.deps,
    unleashAdmin: flags.admin,
    rateLimiter: createRateLimiter(rateLimits.store),
    refusals,
    spend,
  };
  const api = options.listen === false ? null : createApiServer({ services, corsOrigins: [env.widgetOrigin, env.adminOrigin], metrics: pipeline.metrics.registry });
  let url = "";
  try {
    if (api) url = await api.listen(env.API_PORT, env.HOST);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    url,
    services,
    pipeline,
    /** The worker thread, when ROLE=all runs one. */
    workerThread,
    async stop() {
      await api?.close(env.SHUTDOWN_TIMEOUT_MS);
      await stopAll();
    },
  };
}
