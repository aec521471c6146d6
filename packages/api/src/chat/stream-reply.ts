import { computeCost } from "@leadline/pipeline/cost";
import { UserMessageNotStored } from "@leadline/pipeline/session-state";
import { answerTurn, visitorMessageFor, type AnsweredTurn, type Turn } from "@leadline/pipeline/turn";
import type { SendErrorCode, SendEvent } from "@leadline/validators/chat";

import type { Context } from "../context";
import type { Reservation } from "../limits/budget";
import { settleReservation } from "../limits/settle";
import { createChannel } from "./channel";
import { ANSWER_CLAIM_SECONDS, findReply, resendOf, type SendPlan } from "./prepare-send";
import { batchTokens, DEFAULT_TOKEN_BATCH_MS } from "./token-batch";

/**
 * The events of one send. The answer runs as a task of its own: if the
 * visitor goes away, `signal` aborts the model call and the task still stores
 * the partial answer; only the reading side of the channel is dropped.
 */
export function streamReply(ctx: Context, plan: SendPlan, signal: AbortSignal | undefined, reservation: Reservation | null = null): AsyncIterable<SendEvent> {
  // Tokens still waiting in the channel when the next one comes (a reader behind) are joined as well.
  const events = createChannel<SendEvent>((a, b) => (a.type === "token" && b.type === "token" ? { type: "token", text: a.text + b.text } : undefined));
  const out = batchTokens(events.push, ctx.config.tokenBatchMs ?? DEFAULT_TOKEN_BATCH_MS);
  // An answer acknowledges its message once it is stored (answerTurn); a resend's is stored already.
  const task = plan.kind === "answer" ? answer(ctx, plan.turn, signal, out.push) : replayWithAck(ctx, plan, signal, out.push);
  void task
    .then(
      (answered) => reservation && settleReservation(ctx, reservation, answered),
      (error: unknown) => {
        ctx.log.error({ err: error, requestId: ctx.requestId }, "chat reply failed");
        out.push({ type: "error", code: "internal", message: visitorMessageFor("internal"), retryable: true });
        if (reservation) void settleReservation(ctx, reservation, undefined);
      },
    )
    .finally(() => {
      out.flush();
      events.close();
    });
  return events;
}

/**
 * answerTurn, and what follows when a warm turn finds its message stored
 * already (the model call was stopped before any token was shown): the
 * resend's usual replay, wait or new answer. A model call stopped that way
 * is settled as not spent; the provider may still bill the few prompt
 * tokens it read, which is why a resend the cache knows of never starts one.
 */
async function answer(ctx: Context, turn: Turn, signal: AbortSignal | undefined, emit: (e: SendEvent) => void): Promise<AnsweredTurn | "none"> {
  try {
    return await answerTurn(ctx.pipeline, turn, emit, signal);
  } catch (error) {
    if (!(error instanceof UserMessageNotStored)) throw error;
    if (error.reason === "no_session") {
      void ctx.pipeline.cache.invalidate("sessions", turn.claims.organizationId, turn.claims.sessionId).catch(() => undefined);
      emit({ type: "error", code: "bad_request", message: "This chat has ended. Please start a new one.", retryable: false });
      return "none";
    }
    const plan = await resendOf(ctx, turn);
    if (plan.kind === "answer") return answerTurn(ctx.pipeline, plan.turn, emit, signal);
    await replayWithAck(ctx, plan, signal, emit);
    return "none";
  }
}

async function replayWithAck(ctx: Context, plan: Exclude<SendPlan, { kind: "answer" }>, signal: AbortSignal | undefined, emit: (e: SendEvent) => void): Promise<"none"> {
  emit({ type: "ack", userMessageId: plan.userMessage.id, clientMessageId: plan.userMessage.clientMessageId ?? "", replay: true });
  await replay(ctx, plan, signal, emit);
  return "none";
}

/** A resend: the stored answer again, after waiting for it if another request is still producing it. */
async function replay(ctx: Context, plan: Exclude<SendPlan, { kind: "answer" }>, signal: AbortSignal | undefined, emit: (e: SendEvent) => void) {
  let reply = plan.kind === "replay" ? plan.reply : undefined;
  const deadline = Date.now() + ANSWER_CLAIM_SECONDS * 1000;
  while (!reply && Date.now() < deadline && !signal?.aborted) {
    await new Promise((r) => setTimeout(r, 200));
    reply = await findReply(ctx, plan.visitor, plan.userMessage.id);
  }
  if (!reply) {
    emit({ type: "error", code: "timeout", message: visitorMessageFor("timeout"), retryable: true });
    return;
  }
  if (reply.status === "failed") {
    const code = (reply.errorCode as SendErrorCode | null) ?? "upstream_error";
    emit({ type: "error", code, message: visitorMessageFor(code), retryable: true, messageId: reply.id });
    return;
  }
  const usage = {
    promptTokens: reply.promptTokens ?? 0,
    cachedPromptTokens: reply.cachedPromptTokens ?? 0,
    completionTokens: reply.completionTokens ?? 0,
    estimated: reply.usageEstimated,
  };
  // A reply stored without its model (written by hand, or by an older version) is replayed unpriced.
  const cost = computeCost(usage, reply.model ? await ctx.pipeline.rates.rateFor(reply.model, plan.flags["pipeline.cache"]) : undefined);
  if (reply.content) emit({ type: "token", text: reply.content });
  emit({
    type: "done",
    messageId: reply.id,
    status: reply.status,
    text: reply.content,
    usage,
    cost: { usd: cost.usd, priced: cost.priced },
    timings: { firstTokenMs: null, totalMs: performance.now() - plan.startedAt },
    demoModel: ctx.llm.demo,
  });
}
