import { desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";

import { chatMessages } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import type { FlagSet } from "@leadline/flags/definitions";
import { classifyMessage } from "@leadline/pipeline/domain";
import { HISTORY_LIMIT, loadTurn, type StoredMessage } from "@leadline/pipeline/lookups";
import type { Turn } from "@leadline/pipeline/turn";
import type { SendInput } from "@leadline/validators/chat";

import type { Context } from "../context";
import { badRequest, DomainError, notFound } from "../errors";
import type { VisitorClaims } from "./session-token";

/** How long a started answer holds its user message before a resend may start another. */
export const ANSWER_CLAIM_SECONDS = 120;

export type SendPlan = { startedAt: number; visitor: VisitorClaims; userMessage: StoredMessage; flags: FlagSet } & (
  | { kind: "answer"; turn: Turn }
  | { kind: "replay"; reply: StoredMessage }
  | { kind: "wait" }
);

/**
 * Everything that must hold before any byte streams: the text is acceptable,
 * the session exists, the user message is stored (once per clientMessageId),
 * and this request either owns the answer or replays/waits for an existing
 * one. Flags are resolved here, once for the message. Throws domain errors;
 * nothing is written when the input is refused.
 */
export async function prepareSend(ctx: Context, visitor: VisitorClaims, input: SendInput): Promise<SendPlan> {
  const startedAt = performance.now();
  if (input.text.length > ctx.config.maxMessageChars) {
    throw badRequest(`Message is too long (at most ${ctx.config.maxMessageChars} characters)`);
  }
  const complexity = classifyMessage(input.text);
  const flags = ctx.flagOverride ?? ctx.flags.resolve({ ...visitor, complexity });
  const cacheHits: Record<string, { hits: number; misses: number }> = {};
  const cached = flags["pipeline.cache"] ? { cache: ctx.pipeline.cache, hits: cacheHits } : undefined;
  const loaded = await loadTurn(ctx.db, visitor, { clientMessageId: input.clientMessageId, text: input.text }, flags["pipeline.batched-queries"], cached);
  if (!loaded.session) throw notFound("Chat session");
  const { session } = loaded;

  const turnFor = (userMessage: StoredMessage, history: Turn["history"]): Turn => ({
    claims: visitor,
    visitorId: session.visitorId,
    userMessage: { id: userMessage.id, content: userMessage.content },
    systemPrompt: session.systemPrompt,
    history,
    qualification: session.qualification,
    flags,
    complexity,
    startedAt,
    lookupMs: performance.now() - startedAt,
    cacheHits,
  });
  if (loaded.inserted) return { startedAt, visitor, flags, kind: "answer", userMessage: loaded.inserted, turn: turnFor(loaded.inserted, loaded.history) };

  // The same clientMessageId again: replay the answer, wait for it, or (after a failure) answer anew.
  const [userMessage] = await ctx.db
    .select()
    .from(chatMessages)
    .where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.sessionId, visitor.sessionId), eq(chatMessages.clientMessageId, input.clientMessageId)));
  if (!userMessage) throw notFound("Message");
  if (userMessage.content !== input.text) {
    throw new DomainError("CONFLICT", "This clientMessageId was already used for a different message");
  }
  const reply = await findReply(ctx, visitor, userMessage.id);
  if (reply && reply.status !== "failed") return { startedAt, visitor, flags, kind: "replay", userMessage, reply };
  const claimed = await claimAnswer(ctx, visitor, userMessage, reply);
  if (!claimed) return { startedAt, visitor, flags, kind: "wait", userMessage };
  return { startedAt, visitor, flags, kind: "answer", userMessage: claimed, turn: turnFor(claimed, await loadHistoryBefore(ctx, claimed)) };
}

/** Takes over answering a message unless another request is answering it now; a failed answer is replaced. */
async function claimAnswer(ctx: Context, visitor: VisitorClaims, userMessage: StoredMessage, failedReply: StoredMessage | undefined) {
  return ctx.db.transaction(async (tx) => {
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
            failedReply ? lt(chatMessages.answerStartedAt, failedReply.createdAt) : undefined,
          ),
        ),
      )
      .returning();
    if (row && failedReply) await tx.delete(chatMessages).where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.id, failedReply.id)));
    return row;
  });
}

export async function findReply(ctx: Pick<Context, "db">, visitor: VisitorClaims, userMessageId: string) {
  const [reply] = await ctx.db
    .select()
    .from(chatMessages)
    .where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.replyToId, userMessageId)));
  return reply;
}

/** The conversation before this message, oldest first, without failed answers. */
async function loadHistoryBefore(ctx: Context, userMessage: StoredMessage) {
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
