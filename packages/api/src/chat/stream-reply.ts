import { eq } from "drizzle-orm";

import { messageCosts } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import type { ChatMessage, LlmEvent } from "@leadline/llm/client";
import type { SendErrorCode, SendEvent } from "@leadline/validators/chat";

import type { Context } from "../context";
import { createChannel } from "./channel";
import { ANSWER_CLAIM_SECONDS, findReply, type SendPlan } from "./prepare-send";
import { recordTimings, saveReply } from "./save-reply";

const VISITOR_MESSAGES: Record<SendErrorCode, string> = {
  rate_limited: "The assistant is busy right now. Please try again in a moment.",
  upstream_error: "The assistant could not answer just now. Please try again.",
  timeout: "The assistant took too long to answer. Please try again.",
  aborted: "The answer was stopped.",
  bad_request: "The assistant could not process this message.",
  internal: "Something went wrong on our side. Please try again.",
};

/**
 * The events of one send. The answer runs as a task of its own: if the
 * visitor goes away, `signal` aborts the model call and the task still stores
 * the partial answer; only the reading side of the channel is dropped.
 */
export function streamReply(ctx: Context, plan: SendPlan, signal: AbortSignal | undefined): AsyncIterable<SendEvent> {
  const events = createChannel<SendEvent>();
  events.push({ type: "ack", userMessageId: plan.userMessage.id, clientMessageId: plan.userMessage.clientMessageId ?? "", replay: plan.kind !== "answer" });
  const task = plan.kind === "answer" ? answer(ctx, plan, signal, events.push) : replay(ctx, plan, signal, events.push);
  void task
    .catch((error: unknown) => {
      ctx.log.error({ err: error, requestId: ctx.requestId }, "chat reply failed");
      events.push({ type: "error", code: "internal", message: VISITOR_MESSAGES.internal, retryable: true });
    })
    .finally(() => events.close());
  return events;
}

async function answer(ctx: Context, plan: Extract<SendPlan, { kind: "answer" }>, signal: AbortSignal | undefined, emit: (e: SendEvent) => void) {
  const messages: ChatMessage[] = [
    { role: "system", content: plan.systemPrompt },
    ...plan.history,
    { role: "user", content: plan.userMessage.content },
  ];
  let firstTokenMs: number | null = null;
  let end: Extract<LlmEvent, { type: "end" }> | undefined;
  for await (const event of ctx.llm.client.streamChat(messages, { signal })) {
    if (event.type === "token") {
      firstTokenMs ??= performance.now() - plan.startedAt;
      emit({ type: "token", text: event.text });
    } else {
      end = event;
    }
  }
  if (!end) throw new Error("the model stream ended without an end event");

  const saveStartedAt = performance.now();
  const { messageId, cost } = await saveReply(ctx, plan.visitor, plan.userMessage.id, end);
  const criticalPostMs = performance.now() - saveStartedAt;
  const totalMs = performance.now() - plan.startedAt;
  if (end.status === "failed") {
    const code = end.error?.code ?? "upstream_error";
    emit({ type: "error", code, message: VISITOR_MESSAGES[code], retryable: code !== "bad_request", messageId });
  } else {
    emit({ type: "done", messageId, status: end.status, text: end.text, usage: end.usage, cost: { usd: cost.usd, priced: cost.priced }, timings: { firstTokenMs, totalMs }, demoModel: ctx.llm.demo });
  }
  // After the visitor has the answer: where the time went.
  await recordTimings(ctx, plan.visitor, messageId, end, { firstTokenMs, llmMs: end.timings.totalMs, totalMs, criticalPostMs }).catch((error: unknown) =>
    ctx.log.warn({ err: error }, "could not record request timings"),
  );
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
    emit({ type: "error", code: "timeout", message: VISITOR_MESSAGES.timeout, retryable: true });
    return;
  }
  if (reply.status === "failed") {
    const code = (reply.errorCode as SendErrorCode | null) ?? "upstream_error";
    emit({ type: "error", code, message: VISITOR_MESSAGES[code] ?? VISITOR_MESSAGES.upstream_error, retryable: true, messageId: reply.id });
    return;
  }
  const [cost] = await ctx.db.select().from(messageCosts).where(scopedTo(plan.visitor.organizationId, messageCosts, eq(messageCosts.messageId, reply.id)));
  if (reply.content) emit({ type: "token", text: reply.content });
  emit({
    type: "done",
    messageId: reply.id,
    status: reply.status,
    text: reply.content,
    usage: {
      promptTokens: reply.promptTokens ?? 0,
      cachedPromptTokens: reply.cachedPromptTokens ?? 0,
      completionTokens: reply.completionTokens ?? 0,
      estimated: reply.usageEstimated,
    },
    cost: { usd: cost?.costUsd ?? null, priced: cost?.priced ?? false },
    timings: { firstTokenMs: null, totalMs: performance.now() - plan.startedAt },
    demoModel: ctx.llm.demo,
  });
}
