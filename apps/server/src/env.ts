/**
 * The server's whole configuration, read once from the environment and
 * validated. Nothing else reads process.env. An unset optional variable means
 * "use the embedded default for that part" (see DESIGN.md, Contract).
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { DEFAULT_LIMITS, type LimitDefaults } from "@leadline/api/limits/settings";
import { z } from "zod";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

const port = (fallback: number) => z.coerce.number().int("must be a whole number").min(1, "must be a port 1–65535").max(65535, "must be a port 1–65535").default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int("must be a whole number").positive("must be positive").default(fallback);
const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url("must be a URL").optional());
const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ROLE: z.enum(["api", "worker", "all"]).default("all"),
  /** ROLE=all: 1 runs the background worker in a worker thread (its own event loop), 0 on the request-serving loop. */
  WORKER_THREAD: z.enum(["0", "1"]).default("1"),
  HOST: z.string().min(1).default("127.0.0.1"),
  API_PORT: port(4000),
  WIDGET_PORT: port(3000),
  ADMIN_PORT: port(3001),
  LLM_SIMULATOR_PORT: port(4010),
  PG_PORT: port(54329),
  /** Where embedded state lives (Postgres data, generated secrets). */
  DATA_DIR: z.string().default(resolve(repoRoot, ".data")),

  DATABASE_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url("must be a postgres:// URL").refine((u) => /^postgres(ql)?:\/\//.test(u), "must start with postgres:// or postgresql://").optional()),
  DB_POOL_MAX: positiveInt(20),
  DB_CONNECT_TIMEOUT_S: positiveInt(5),
  /** 0 (the default): idle connections are kept, so a visitor after a quiet spell does not wait for a new one. */
  DB_IDLE_TIMEOUT_S: z.coerce.number().int("must be a whole number").min(0, "must be 0 or more").default(0),
  DB_MAX_LIFETIME_S: positiveInt(3600),
  /** 1: queries run as prepared statements (one round trip each); 0 behind a pooler that cannot keep them (PgBouncer in transaction mode). */
  DB_PREPARE: z.enum(["0", "1"]).default("1"),

  REDIS_URL: optionalUrl,
  UNLEASH_URL: optionalUrl,
  UNLEASH_CLIENT_TOKEN: optionalString,
  UNLEASH_ADMIN_TOKEN: optionalString,
  UNLEASH_PORT: port(4242),
  /** How often the server fetches flag changes from Unleash. */
  UNLEASH_REFRESH_MS: positiveInt(2_000),
  /** The rollout guard (worker role, one leader per cluster): how often, over what window, from how many messages per cohort. */
  GUARD_INTERVAL_MS: positiveInt(30_000),
  GUARD_WINDOW_MINUTES: positiveInt(15),
  GUARD_MIN_SAMPLES: positiveInt(50),
  /** The alert evaluator (worker role, one leader per cluster): how often, and from how many messages a window is judged. */
  ALERT_INTERVAL_MS: positiveInt(30_000),
  ALERT_MIN_SAMPLES: positiveInt(20),
  /** When the daily performance reports (of the day before) are generated: a 5-field cron expression, in UTC. */
  REPORT_CRON: z
    .string()
    .trim()
    .regex(/^\S+(\s+\S+){4}$/, "must be a cron expression of 5 fields, e.g. \"5 0 * * *\"")
    .default("5 0 * * *"),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  LLM_MAX_OUTPUT_TOKENS: positiveInt(400),
  LLM_FIRST_TOKEN_TIMEOUT_MS: positiveInt(15_000),
  LLM_IDLE_TIMEOUT_MS: positiveInt(15_000),

  ADMIN_EMAIL: z.email("must be an email address").default("admin@demo.leadline.test"),
  ADMIN_PASSWORD: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(8, "must be at least 8 characters").optional()),
  SESSION_SECRET: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(32, "must be at least 32 characters").optional()),
  SESSION_TTL_S: positiveInt(30 * 24 * 3600),
  MAX_MESSAGE_CHARS: positiveInt(4000),

  /** Chat limits of a site that sets none of its own (the admin's Sites page sets a site's): per minute, and messages per session. */
  RATE_LIMIT_SESSION_MESSAGES: positiveInt(DEFAULT_LIMITS.sessionMessagesPerMinute),
  RATE_LIMIT_ADDRESS_MESSAGES: positiveInt(DEFAULT_LIMITS.addressMessagesPerMinute),
  RATE_LIMIT_SITE_MESSAGES: positiveInt(DEFAULT_LIMITS.siteMessagesPerMinute),
  RATE_LIMIT_ADDRESS_SESSIONS: positiveInt(DEFAULT_LIMITS.addressSessionsPerMinute),
  RATE_LIMIT_SITE_SESSIONS: positiveInt(DEFAULT_LIMITS.siteSessionsPerMinute),
  SESSION_MESSAGE_CAP: positiveInt(DEFAULT_LIMITS.messagesPerSession),
  /** A site's model spend per UTC day and calendar month, in USD, unless the site sets its own; 0 switches the model off. */
  DAILY_BUDGET_USD: z.coerce.number("must be a number").min(0, "must be 0 or more").default(DEFAULT_LIMITS.dailyBudgetUsd),
  MONTHLY_BUDGET_USD: z.coerce.number("must be a number").min(0, "must be 0 or more").default(DEFAULT_LIMITS.monthlyBudgetUsd),

  /** Public origins of the two Next apps: the only browser origins each app's procedures accept (CORS too); the demo site's allowed origin. */
  WIDGET_ORIGIN: optionalUrl,
  ADMIN_ORIGIN: optionalUrl,
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
  /** Slug of the organization that operates the deployment: only its admins manage the (deployment-wide) flags. */
  OPERATOR_ORGANIZATION: z.string().min(1).default("demo"),
  /** Proxies (load balancers) in front of the server: the client's IP is read from X-Forwarded-For that many hops back. */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),

  /** How long a chat stream stays open after "done" for an "enhanced" event. */
  ENHANCEMENT_WINDOW_MS: positiveInt(1500),
  /** A reply's tokens go to the visitor at most once per this many ms, joined; the first at once. 0: each token on its own. */
  TOKEN_BATCH_MS: z.coerce.number().int("must be a whole number").min(0, "must be 0 or more").max(1000, "must be at most 1000").default(50),
  WORKER_CONCURRENCY: positiveInt(16),
  WEBHOOK_RETRIES: positiveInt(8),
  WEBHOOK_RETRY_DELAY_S: positiveInt(5),
  /** Committed work older than this that never reached the queue is re-enqueued by the outbox relay. */
  OUTBOX_RELAY_AFTER_MS: positiveInt(15_000),
  /** Benchmark only: let requests choose their flags with the x-leadline-flags header. Never in production. */
  ALLOW_FLAG_OVERRIDE: z.enum(["0", "1"]).default("0"),
});

export type Env = z.infer<typeof schema> & { repoRoot: string; widgetOrigin: string; adminOrigin: string };

export class EnvError extends Error {}

/** Parses an environment; throws EnvError naming every bad variable and why. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "?");
      return `${name}: ${issue.message} (got ${JSON.stringify(source[name])})`;
    });
    throw new EnvError(`Invalid environment:\n  ${lines.join("\n  ")}`);
  }
  const env = result.data;
  if (env.NODE_ENV === "production" && env.ALLOW_FLAG_OVERRIDE === "1") {
    throw new EnvError("Invalid environment:\n  ALLOW_FLAG_OVERRIDE: must not be 1 when NODE_ENV=production (it lets any visitor choose the pipeline's flags)");
  }
  if (env.NODE_ENV === "production" && !env.SESSION_SECRET) {
    throw new EnvError("Invalid environment:\n  SESSION_SECRET: required when NODE_ENV=production (at least 32 characters)");
  }
  return {
    ...env,
    repoRoot,
    widgetOrigin: env.WIDGET_ORIGIN ? new URL(env.WIDGET_ORIGIN).origin : `http://localhost:${env.WIDGET_PORT}`,
    adminOrigin: env.ADMIN_ORIGIN ? new URL(env.ADMIN_ORIGIN).origin : `http://localhost:${env.ADMIN_PORT}`,
  };
}

export function readEnv(): Env {
  return parseEnv(process.env);
}

/** The deployment's default chat limits and budgets, from the environment. */
export function limitDefaultsOf(env: Env): LimitDefaults {
  return {
    sessionMessagesPerMinute: env.RATE_LIMIT_SESSION_MESSAGES,
    addressMessagesPerMinute: env.RATE_LIMIT_ADDRESS_MESSAGES,
    siteMessagesPerMinute: env.RATE_LIMIT_SITE_MESSAGES,
    addressSessionsPerMinute: env.RATE_LIMIT_ADDRESS_SESSIONS,
    siteSessionsPerMinute: env.RATE_LIMIT_SITE_SESSIONS,
    messagesPerSession: env.SESSION_MESSAGE_CAP,
    dailyBudgetUsd: env.DAILY_BUDGET_USD,
    monthlyBudgetUsd: env.MONTHLY_BUDGET_USD,
  };
}
