import { HISTORY_LIMIT, HISTORY_TOKEN_BUDGET } from "@leadline/pipeline/lookups";
import { computeCost } from "@leadline/pipeline/cost";
import { tokenUpperBound } from "@leadline/llm/client";

import { throttleKeyOfIp } from "../auth/request";
import type { VisitorClaims } from "../chat/session-token";
import type { Context } from "../context";
import { DomainError, type RefusalReason } from "../errors";
import { reportBudgetExhausted } from "./budget-alert";
import type { Reservation } from "./budget";
import type { RateRefusal, RateRule } from "./rate-limits";
import type { SiteLimits } from "./settings";
import { loadSiteLimits } from "./site-limits";

const MINUTE = 60;
/** The per-session message cap counts for as long as a session could live. */
const SESSION_CAP_SECONDS = 30 * 24 * 3600;
const SESSION_CAP_RULE = "session-total";
// OpenAI's chat format: a few framing tokens per message and a few priming the reply.
const FRAMING_TOKENS = 3 * (HISTORY_LIMIT + 2) + 3;

export const ADMISSION_MESSAGES = {
  budgetExhausted: "The assistant is not available right now. Leave your name and email and the team will get back to you.",
  sessionCap: (n: number) => `This conversation has reached its limit of ${n} messages. Leave your email and the team will get back to you.`,
  rateLimited: (seconds: number) => `You are sending messages too quickly. Please wait ${seconds} s and try again.`,
} as const;

type AdmissionContext = Pick<Context, "db" | "pipeline" | "config" | "log" | "llm" | "rateLimiter" | "refusals" | "clientIp" | "spend">;

/**
 * Every check that can refuse a message, before anything is stored or the
 * model is called: the per-minute limits of the session, the client's
 * address and the site, the session's message cap, then the site's budget,
 * which reserves the message's worst case (settled by the spend ledger once the
 * model has answered). Throws a DomainError carrying the refusal's reason.
 * Null: the session's site is gone (the send itself answers NOT_FOUND).
 */
export async function admitSend(ctx: AdmissionContext, claims: VisitorClaims, text: string): Promise<Reservation | null> {
  const limits = await loadSiteLimits(ctx, claims.organizationId, claims.siteId);
  if (!limits) return null;
  // One consume for every rule: each is counted in the store in parallel, or admitted from what the store said last.
  const refusal = await ctx.rateLimiter.consume([
    ...sessionHits(limits, claims.sessionId),
    ...byAddress(ctx, perMinute("send-address", limits.rates.addressMessagesPerMinute)),
    { rule: perMinute("send-site", limits.rates.siteMessagesPerMinute), key: claims.siteId },
  ]);
  if (refusal?.rule === SESSION_CAP_RULE) {
    countRefusal(ctx, limits, "session_cap", refusal.rule);
    throw new DomainError("FORBIDDEN", ADMISSION_MESSAGES.sessionCap(limits.rates.messagesPerSession), { reason: "session_cap" });
  }
  if (refusal) refuse(ctx, limits, refusal);
  return reserveBudget(ctx, limits, text);
}

/** A session's own limits: messages a minute, and in all. */
function sessionHits(limits: SiteLimits, sessionId: string): { rule: RateRule; key: string }[] {
  return [
    { rule: perMinute("send-session", limits.rates.sessionMessagesPerMinute), key: sessionId },
    { rule: { name: SESSION_CAP_RULE, points: limits.rates.messagesPerSession, durationSeconds: SESSION_CAP_SECONDS }, key: sessionId },
  ];
}

/** A session just created has sent nothing anywhere: its first message need not ask the limiter's store. */
export function primeNewSession(ctx: Pick<AdmissionContext, "rateLimiter">, limits: SiteLimits, sessionId: string): void {
  ctx.rateLimiter.assumeUnused(sessionHits(limits, sessionId));
}

/** startSession's limits: new sessions per minute from one address and on one site. */
export async function admitSessionStart(ctx: AdmissionContext, limits: SiteLimits): Promise<void> {
  await refuseOverLimit(ctx, limits, [
    ...byAddress(ctx, perMinute("start-address", limits.rates.addressSessionsPerMinute)),
    { rule: perMinute("start-site", limits.rates.siteSessionsPerMinute), key: limits.siteId },
  ]);
}

/** A contact left without the model (budget spent, cap reached): limited per address like messages. */
export async function admitContactForm(ctx: AdmissionContext, limits: SiteLimits, claims: VisitorClaims): Promise<void> {
  await refuseOverLimit(ctx, limits, [
    { rule: perMinute("contact-session", limits.rates.sessionMessagesPerMinute), key: claims.sessionId },
    ...byAddress(ctx, perMinute("contact-address", limits.rates.addressMessagesPerMinute)),
  ]);
}

/**
 * The most a message can cost: its whole prompt at the input rate and the
 * longest reply at the output rate. The message's own tokens are bounded by
 * its bytes rather than counted: a bound is all a reservation needs (the
 * real cost settles it), and the tokenizer's split pattern is a large
 * regular expression V8 recompiles after every full GC, ~12 ms on the first
 * message that follows one, before the model is even called.
 */
export async function priceWorstCase(ctx: Pick<Context, "pipeline" | "llm" | "config">, limits: SiteLimits, text: string): Promise<number> {
  const rate = await ctx.pipeline.rates.rateFor(ctx.llm.client.model, true);
  const promptTokens = limits.systemPromptTokens + HISTORY_TOKEN_BUDGET + tokenUpperBound(text) + FRAMING_TOKENS;
  const cost = computeCost({ promptTokens, cachedPromptTokens: 0, completionTokens: ctx.config.maxOutputTokens, estimated: true }, rate);
  return cost.priced ? Number(cost.usd) : 0;
}

async function reserveBudget(ctx: AdmissionContext, limits: SiteLimits, text: string): Promise<Reservation> {
  // A budget of 0 switches the model off: nothing is reserved, even for an unpriced model.
  const open = limits.dailyBudgetUsd > 0 && limits.monthlyBudgetUsd > 0;
  const reservation = open ? await ctx.spend.reserve(limits, await priceWorstCase(ctx, limits, text)) : null;
  if (reservation) return reservation;
  countRefusal(ctx, limits, "budget_exhausted", "budget");
  await reportBudgetExhausted(ctx, limits).catch((error: unknown) => ctx.log.warn({ err: error, siteId: limits.siteId }, "could not report the spent budget"));
  throw new DomainError("PAYMENT_REQUIRED", ADMISSION_MESSAGES.budgetExhausted, { reason: "budget_exhausted" });
}

async function refuseOverLimit(ctx: AdmissionContext, limits: SiteLimits, hits: { rule: RateRule; key: string }[]): Promise<void> {
  const refusal = await ctx.rateLimiter.consume(hits);
  if (refusal) refuse(ctx, limits, refusal);
}

function refuse(ctx: AdmissionContext, limits: SiteLimits, refusal: RateRefusal): never {
  const seconds = Math.ceil(refusal.retryAfterMs / 1000);
  countRefusal(ctx, limits, "rate_limited", refusal.rule);
  throw new DomainError("TOO_MANY_REQUESTS", ADMISSION_MESSAGES.rateLimited(seconds), { reason: "rate_limited", retryAfterSeconds: seconds });
}

function countRefusal(ctx: AdmissionContext, limits: SiteLimits, reason: RefusalReason, rule: string) {
  ctx.pipeline.metrics.refusals.inc({ reason, rule });
  ctx.refusals.count(limits, reason);
}

function perMinute(name: string, points: number): RateRule {
  return { name, points, durationSeconds: MINUTE };
}

/** An address's hit, keyed by the address (an IPv6 one by its /64); none for a caller without one (in-process). */
function byAddress(ctx: AdmissionContext, rule: RateRule): { rule: RateRule; key: string }[] {
  return ctx.clientIp ? [{ rule, key: throttleKeyOfIp(ctx.clientIp) }] : [];
}
