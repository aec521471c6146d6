import { desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";

import { chatMessages, chatSessions, sites } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import type { SendInput } from "@leadline/validators/chat";

import type { Context } from "../context";
import { badRequest, DomainError, notFound } from "../errors";
import type { VisitorClaims } from "./session-token";

/** How long a started answer holds its user message before a resend may start another. */
export const ANSWER_CLAIM_SECONDS = 120;
/** Recent messages sent to the model with the new one. */
const HISTORY_LIMIT = 20;

type StoredMessage = typeof chatMessages.$inferSelect;

export type SendPlan = {
  startedAt: number;
  visitor: VisitorClaims;
  userMessage: StoredMessage;
} & (
  | { kind: "answer"; systemPrompt: string; history: Pick<StoredMessage, "role" | "content">[] }
  | { kind: "replay"; reply: StoredMessage }
  | { kind: "wait" }
);

/**
 * Everything that must hold before any byte streams: the text is acceptable,
 * the session exists, the user message is stored (once per clientMessageId),
 * and this request either owns the answer or replays/waits for an existing one.
 * Throws domain errors; nothing is written when the input is refused.
 */
export async function prepareSend(ctx: Context, visitor: VisitorClaims, input: SendInput): Promise<SendPlan> {
  const startedAt = performance.now();
  if (input.text.length > ctx.config.maxMessageChars) {
    throw badRequest(`Message is too long (at most ${ctx.config.maxMessageChars} characters)`);
  }
  const [session] = await ctx.db
    .select({ id: chatSessions.id, systemPrompt: sites.systemPrompt })
    .from(chatSessions)
    .innerJoin(sites, eq(sites.id, chatSessions.siteId))
    .where(scopedTo(visitor.organizationId, chatSessions, eq(chatSessions.id, visitor.sessionId), eq(chatSessions.siteId, visitor.siteId)));
  if (!session) throw notFound("Chat session");

  const [inserted] = await ctx.db
    .insert(chatMessages)
    .values({
      organizationId: visitor.organizationId,
      sessionId: session.id,
      role: "user",
      content: input.text,
      clientMessageId: input.clientMessageId,
      answerStartedAt: sql`now()`,
    })
    .onConflictDoNothing({ target: [chatMessages.sessionId, chatMessages.clientMessageId] })
    .returning();

  const base = { startedAt, visitor };
  if (inserted) {
    return { ...base, kind: "answer", userMessage: inserted, systemPrompt: session.systemPrompt, history: await loadHistory(ctx, inserted) };
  }
  return planResend(ctx, { ...base, systemPrompt: session.systemPrompt }, input);
}

/** The same clientMessageId again: replay the answer, wait for it, or (after a failure) answer anew. */
async function planResend(
  ctx: Context,
  base: { startedAt: number; visitor: VisitorClaims; systemPrompt: string },
  input: SendInput,
): Promise<SendPlan> {
  const { visitor } = base;
  const [userMessage] = await ctx.db
    .select()
    .from(chatMessages)
    .where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.sessionId, visitor.sessionId), eq(chatMessages.clientMessageId, input.clientMessageId)));
  if (!userMessage) throw notFound("Message");
  if (userMessage.content !== input.text) {
    throw new DomainError("CONFLICT", "This clientMessageId was already used for a different message");
  }
  const reply = await findReply(ctx, visitor, userMessage.id);
  if (reply && reply.status !== "failed") return { ...base, kind: "replay", userMessage, reply };

  // No usable answer: claim the message unless another request is answering it now.
  const claimed = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(chatMessages)
      .set({ answerStartedAt: sql`now()` })
      .where(
        scopedTo(
          visitor.organizationId,
          chatMessages,
          eq(chatMessages.id, userMessage.id),
          or(
            isNull(chatMessages.answerStartedAt),
            lt(chatMessages.answerStartedAt, sql`now() - make_interval(secs => ${ANSWER_CLAIM_SECONDS})`),
            // After a failed answer: claimable once, by the first resend (its claim is newer than the failure).
            reply ? lt(chatMessages.answerStartedAt, reply.createdAt) : undefined,
          ),
        ),
      )
      .returning();
    // A failed answer (nothing was said) is replaced by the new attempt.
    if (row && reply) await tx.delete(chatMessages).where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.id, reply.id)));
    return row;
  });
  if (!claimed) return { ...base, kind: "wait", userMessage };
  return { ...base, kind: "answer", userMessage: claimed, history: await loadHistory(ctx, claimed) };
}

export async function findReply(ctx: Pick<Context, "db">, visitor: VisitorClaims, userMessageId: string) {
  const [reply] = await ctx.db
    .select()
    .from(chatMessages)
    .where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.replyToId, userMessageId)));
  return reply;
}

/** The conversation before this message, oldest first, without failed answers. */
async function loadHistory(ctx: Context, userMessage: StoredMessage) {
  const rows = await ctx.db
    .select({ role: chatMessages.role, content: chatMessages.content })
    .from(chatMessages)
    .where(
      scopedTo(
        userMessage.organizationId,
        chatMessages,
        eq(chatMessages.sessionId, userMessage.sessionId),
        lt(chatMessages.createdAt, userMessage.createdAt),
        inArray(chatMessages.status, ["complete", "partial"]),
      ),
    )
    .orderBy(desc(chatMessages.createdAt))
    .limit(HISTORY_LIMIT);
  return rows.reverse();
}
