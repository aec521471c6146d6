import { eq, sql } from "drizzle-orm";

import { chatMessages, chatSessions, messageCosts, requestTimings } from "@leadline/db/schema";
import type { LlmEvent } from "@leadline/llm/client";

import type { Context } from "../context";
import { computeCost, findRate, type MessageCost } from "./cost";
import type { VisitorClaims } from "./session-token";

type LlmEnd = Extract<LlmEvent, { type: "end" }>;

/**
 * The one transaction after the last token: the assistant message with its
 * status and usage, its cost, and the session's last activity. Returns the
 * stored message id and the cost.
 */
export async function saveReply(ctx: Context, visitor: VisitorClaims, userMessageId: string, end: LlmEnd): Promise<{ messageId: string; cost: MessageCost }> {
  return ctx.db.transaction(async (tx) => {
    const cost = computeCost(end.usage, await findRate(tx, end.model));
    const [message] = await tx
      .insert(chatMessages)
      .values({
        organizationId: visitor.organizationId,
        sessionId: visitor.sessionId,
        role: "assistant",
        content: end.text,
        status: end.status,
        replyToId: userMessageId,
        model: end.model,
        promptTokens: end.usage.promptTokens,
        cachedPromptTokens: end.usage.cachedPromptTokens,
        completionTokens: end.usage.completionTokens,
        usageEstimated: end.usage.estimated,
        errorCode: end.error?.code ?? null,
      })
      .returning({ id: chatMessages.id });
    if (!message) throw new Error("assistant message was not stored");
    await tx.insert(messageCosts).values({
      organizationId: visitor.organizationId,
      messageId: message.id,
      model: end.model,
      inputTokens: end.usage.promptTokens,
      cachedInputTokens: end.usage.cachedPromptTokens,
      outputTokens: end.usage.completionTokens,
      priced: cost.priced,
      costUsd: cost.usd,
      breakdown: cost.breakdown,
    });
    await tx.update(chatSessions).set({ lastMessageAt: sql`now()` }).where(eq(chatSessions.id, visitor.sessionId));
    return { messageId: message.id, cost };
  });
}

export type ReplyTimings = { firstTokenMs: number | null; llmMs: number; totalMs: number; criticalPostMs: number };

/** Where this message's time went; written after the visitor has the answer. */
export async function recordTimings(ctx: Context, visitor: VisitorClaims, messageId: string | null, end: LlmEnd, timings: ReplyTimings) {
  await ctx.db.insert(requestTimings).values({
    organizationId: visitor.organizationId,
    siteId: visitor.siteId,
    sessionId: visitor.sessionId,
    messageId,
    timeToFirstTokenMs: timings.firstTokenMs,
    llmMs: timings.llmMs,
    totalMs: timings.totalMs,
    criticalPostMs: timings.criticalPostMs,
    outcome: end.status,
    errorCode: end.error?.code ?? null,
    promptTokens: end.usage.promptTokens,
    completionTokens: end.usage.completionTokens,
  });
}
