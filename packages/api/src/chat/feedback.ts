import { eq, sql } from "drizzle-orm";

import { chatMessages, feedback } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import type { Context } from "../context";
import { notFound } from "../errors";
import type { VisitorClaims } from "./session-token";

/** Thumbs up or down on one answer of the visitor's own session; a second vote replaces the first. */
export async function recordFeedback(
  ctx: Context,
  visitor: VisitorClaims,
  input: { messageId: string; rating: "up" | "down"; comment?: string },
) {
  const [message] = await ctx.db
    .select({ id: chatMessages.id })
    .from(chatMessages)
    .where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.id, input.messageId), eq(chatMessages.sessionId, visitor.sessionId), eq(chatMessages.role, "assistant")));
  if (!message) throw notFound("Message");
  await ctx.db
    .insert(feedback)
    .values({ organizationId: visitor.organizationId, sessionId: visitor.sessionId, messageId: message.id, rating: input.rating, comment: input.comment ?? null })
    .onConflictDoUpdate({ target: feedback.messageId, set: { rating: input.rating, comment: input.comment ?? null, createdAt: sql`now()` } });
  return { messageId: message.id, rating: input.rating };
}
