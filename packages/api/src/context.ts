import type { Database, Sql } from "@leadline/db/client";
import { parseFlagOverride, type FlagResolver, type FlagSet } from "@leadline/flags/definitions";
import type { LlmClient } from "@leadline/llm/client";
import type { UnleashAdmin } from "@leadline/flags/unleash-admin";
import type { TurnDeps } from "@leadline/pipeline/turn";

import { parseCookies } from "./auth/cookies";
import type { VisitorClaims } from "./chat/session-token";
import type { Reservation } from "./limits/budget";
import type { RateLimiter } from "./limits/rate-limits";
import type { RefusalCounter } from "./limits/refusal-counter";
import type { SpendLedger } from "./limits/spend-ledger";
import type { LimitDefaults } from "./limits/settings";
import { clientIpOf, headerOf, isSecureRequest, type RequestLike } from "./auth/request";

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
  /** Slug of the organization that operates this deployment: the only one that manages flags (default "demo"). */
  operatorOrganization?: string;
  /** Benchmark only: honour the x-leadline-flags request header. */
  allowFlagOverride?: boolean;
  /**
   * Browser origins of the admin app: admin calls carrying any other Origin
   * are refused (see auth/origin.ts). Unset: only calls without an Origin.
   */
  adminOrigins?: string[];
  /**
   * Browser origins of the widget app: chat calls carrying any other Origin
   * are refused (see chat/widget-origin.ts). Unset: only calls without an Origin.
   */
  widgetOrigins?: string[];
  /** Proxies in front of the server that append to X-Forwarded-For (0: the socket's peer is the client). */
  trustedProxyHops?: number;
  /** A reply's tokens go out at most once per this many ms, joined (see chat/token-batch.ts); 0: each on its own. */
  tokenBatchMs?: number;
  /** Rate limits and budgets of a site that sets none of its own (see limits/settings.ts). */
  limits: LimitDefaults;
  /** The longest reply the model may write: a message's worst-case price reserves it. */
  maxOutputTokens: number;
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
  /** Unleash's Admin API, when this server has an admin token: the flags router changes rollouts through it. */
  unleashAdmin: UnleashAdmin | null;
  /** Chat rate limits, counted where every instance sees them (Redis or Postgres). */
  rateLimiter: RateLimiter;
  /** Refused chat calls, counted for the dashboard. */
  refusals: RefusalCounter;
  /** Site budgets held by this process, so a message's reservation costs no round trip. */
  spend: SpendLedger;
};

/** What a procedure sees: the services plus facts about this request. */
export type Context = ApiServices & {
  /** The browser's Origin header, if any: the widget's embed page origin. */
  origin: string | null;
  requestId: string;
  /** Flags forced by the request (benchmark mode only); null otherwise. */
  flagOverride: FlagSet | null;
  /** The request's cookies by name. */
  cookies: Readonly<Record<string, string>>;
  /** Adds a Set-Cookie header to this request's response (none for an in-process caller). */
  setCookie(value: string): void;
  /** Sets a header of this request's response, e.g. Retry-After (nothing for an in-process caller). */
  setHeader(name: string, value: string): void;
  /**
   * The budget reservation of the chat.send this HTTP request carries, made
   * before tRPC ran (limits/admit-calls.ts); undefined when the send was not
   * admitted yet (an in-process caller, a bad input): the procedure admits it.
   */
  admittedSend?: Reservation | null;
  /** The session token that admission checked for this request's chat.send, and its claims: checked once a request. */
  admittedVisitor?: { sessionToken: string; claims: VisitorClaims };
  /** The caller's IP (see ApiConfig.trustedProxyHops), for login throttling. */
  clientIp: string | null;
  userAgent: string | null;
  /** The browser reached us over https: cookies get Secure. */
  secure: boolean;
};

/** The parts of Node's ServerResponse the context writes to. */
type ResponseLike = {
  readonly headersSent?: boolean;
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: string | string[]): unknown;
};

/**
 * A request's context. Over HTTP there is one a request, made before tRPC
 * sees the call: chat.send's admission (limits/admit-calls.ts) and then the
 * procedure read and add to the same object.
 */
export function createContextFactory(services: ApiServices) {
  return ({ req, res }: { req: RequestLike; res?: ResponseLike }): Context => {
    const origin = req.headers.origin;
    const id = req.headers["x-request-id"];
    const override = req.headers["x-leadline-flags"];
    return {
      ...services,
      origin: typeof origin === "string" ? origin : null,
      requestId: typeof id === "string" && id.length <= 64 ? id : crypto.randomUUID(),
      flagOverride: services.config.allowFlagOverride && typeof override === "string" ? parseFlagOverride(override) : null,
      cookies: parseCookies(headerOf(req, "cookie")),
      setCookie(value) {
        // Set on the raw response before tRPC writes it; tRPC keeps headers already set.
        // An in-process caller has no response: there is no browser to keep a cookie.
        if (!res) return;
        const previous = res.getHeader("set-cookie");
        const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
        res.setHeader("set-cookie", [...list, value]);
      },
      setHeader(name, value) {
        // A streamed response (a batched chat.send) has sent its headers already: the refusal's data says the same.
        if (res && !res.headersSent) res.setHeader(name, value);
      },
      clientIp: clientIpOf(req, services.config.trustedProxyHops),
      userAgent: headerOf(req, "user-agent")?.slice(0, 512) ?? null,
      secure: isSecureRequest(req),
    };
  };
}
