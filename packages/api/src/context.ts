import type { Database, Sql } from "@leadline/db/client";
import { parseFlagOverride, type FlagResolver, type FlagSet } from "@leadline/flags/definitions";
import type { LlmClient } from "@leadline/llm/client";
import type { TurnDeps } from "@leadline/pipeline/turn";

/** The subset of pino the API uses, so tests can pass any logger. */
export type Logger = {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
};

export type ApiConfig = {
  /** HMAC key for visitor session tokens. */
  sessionSecret: string;
  sessionTtlSeconds: number;
  maxMessageChars: number;
  version: string;
  /** Benchmark only: honour the x-leadline-flags request header. */
  allowFlagOverride?: boolean;
};

/** Long-lived things the server builds once and every request shares. */
export type ApiServices = {
  db: Database;
  sql: Sql;
  log: Logger;
  config: ApiConfig;
  llm: {
    client: LlmClient;
    /** True when answers come from the offline simulator: the widget says so. */
    demo: boolean;
  };
  /** Resolves the pipeline flags once per message. */
  flags: FlagResolver;
  /** What the pipeline needs to answer a message (queue, timings, metrics…). */
  pipeline: TurnDeps;
};

/** What a procedure sees: the services plus facts about this request. */
export type Context = ApiServices & {
  /** The browser's Origin header, if any: the widget's embed page origin. */
  origin: string | null;
  requestId: string;
  /** Flags forced by the request (benchmark mode only); null otherwise. */
  flagOverride: FlagSet | null;
};

export function createContextFactory(services: ApiServices) {
  return ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }): Context => {
    const origin = req.headers.origin;
    const id = req.headers["x-request-id"];
    const override = req.headers["x-leadline-flags"];
    return {
      ...services,
      origin: typeof origin === "string" ? origin : null,
      requestId: typeof id === "string" && id.length <= 64 ? id : crypto.randomUUID(),
      flagOverride: services.config.allowFlagOverride && typeof override === "string" ? parseFlagOverride(override) : null,
    };
  };
}
