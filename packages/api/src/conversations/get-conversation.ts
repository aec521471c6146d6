import { and, eq, gte, inArray, lte, sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { chatMessages, chatSessions, feedback, leads, messageCosts, requestTimings } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { notFound } from "../errors";
import { decodeMessageCursor, messageCursorAt, newestFirst, olderThan, pageOfMessages } from "./message-page";

/** Timings are written in batches just after a reply; this is far more than any flush takes. */
const TIMINGS_SLACK_MS = 10 * 60_000;

/** conversations.get's page of messages: a session can hold hundreds. */
export const CONVERSATION_PAGE_SIZE = { default: 50, max: 200 } as const;

/**
 * One conversation of the organization: its totals, and a page of its
 * messages (the latest, or those older than `cursor`), oldest first, each
 * answer with where its time went (from request_timings) and what it cost.
 * Another organization's session is NOT_FOUND.
 */
export async function getConversation(db: Database, organizationId: string, input: { sessionId: string; cursor?: string; limit: number }) {
  const key = input.cursor ? decodeMessageCursor(input.cursor) : null;
  const [session] = await db.select().from(chatSessions).where(scopedTo(organizationId, chatSessions, eq(chatSessions.id, input.sessionId)));
  if (!session) throw notFound("Conversation");

  const ofSession = scopedTo(organizationId, chatMessages, eq(chatMessages.sessionId, session.id));
  const [rows, [lead], [totals], [cost]] = await Promise.all([
    db
      .select({ id: chatMessages.id, role: chatMessages.role, cursorAt: messageCursorAt, message: chatMessages, rating: feedback.rating, comment: feedback.comment })
      .from(chatMessages)
      .leftJoin(feedback, scopedTo(organizationId, feedback, eq(feedback.messageId, chatMessages.id)))
      .where(and(ofSession, key ? olderThan(key) : undefined))
      .orderBy(...newestFirst)
      .limit(input.limit + 1),
    db.select({ id: leads.id, status: leads.status, score: leads.score }).from(leads).where(scopedTo(organizationId, leads, eq(leads.sessionId, session.id))),
    db
      .select({ count: sql<number>`count(*)::int`, last: sql<Date | null>`max(${chatMessages.createdAt})`.mapWith(chatMessages.createdAt) })
      .from(chatMessages)
      .where(ofSession),
    db
      .select({ usd: sql<string | null>`sum(${messageCosts.costUsd}) filter (where ${messageCosts.priced})` })
      .from(messageCosts)
      .innerJoin(chatMessages, and(ofSession, eq(chatMessages.id, messageCosts.messageId)))
      .where(scopedTo(organizationId, messageCosts)),
  ]);
  const page = pageOfMessages(rows, input.limit);
  const messages = page.items;

  const answerIds = messages.filter((m) => m.message.role === "assistant").map((m) => m.message.id);
  const newest = messages.at(-1)?.message.createdAt;
  const [timings, costs] =
    answerIds.length === 0 || !newest
      ? [[], []]
      : await Promise.all([
          // request_timings has no index on message_id: bound the lookup to the
          // session's lifetime so it is a range of the (organization_id, created_at) index.
          db
            .select()
            .from(requestTimings)
            .where(
              scopedTo(
                organizationId,
                requestTimings,
                and(
                  gte(requestTimings.createdAt, session.createdAt),
                  lte(requestTimings.createdAt, new Date(newest.getTime() + TIMINGS_SLACK_MS)),
                  eq(requestTimings.sessionId, session.id),
                  inArray(requestTimings.messageId, answerIds),
                ),
              ),
            ),
          db.select().from(messageCosts).where(scopedTo(organizationId, messageCosts, inArray(messageCosts.messageId, answerIds))),
        ]);
  const timingOf = new Map(timings.map((t) => [t.messageId, t]));
  const costOf = new Map(costs.map((c) => [c.messageId, c]));

  return {
    sessionId: session.id,
    siteId: session.siteId,
    visitorId: session.visitorId,
    startedAt: session.createdAt.toISOString(),
    lastMessageAt: totals?.last?.toISOString() ?? null,
    messageCount: totals?.count ?? 0,
    lead: lead ?? null,
    totalCostUsd: Number(cost?.usd ?? 0),
    /** Leads to the page of older messages; null when this page starts the conversation. */
    nextCursor: page.nextCursor,
    messages: messages.map(({ message: m, rating, comment }) => {
      const timing = timingOf.get(m.id);
      const cost = costOf.get(m.id);
      return {
        id: m.id,
        role: m.role,
        content: m.content,
        status: m.status,
        createdAt: m.createdAt.toISOString(),
        replyToId: m.replyToId,
        model: m.model,
        errorCode: m.errorCode,
        usage:
          m.role === "assistant" && m.promptTokens !== null
            ? { promptTokens: m.promptTokens, cachedPromptTokens: m.cachedPromptTokens ?? 0, completionTokens: m.completionTokens ?? 0, estimated: m.usageEstimated }
            : null,
        feedback: rating ? { rating, comment } : null,
        timing: timing
          ? {
              timeToFirstTokenMs: timing.timeToFirstTokenMs,
              totalMs: timing.totalMs,
              llmMs: timing.llmMs,
              criticalPostMs: timing.criticalPostMs,
              complexity: timing.complexity,
              outcome: timing.outcome,
              stages: timing.stages,
            }
          : null,
        cost: cost
          ? { model: cost.model, priced: cost.priced, usd: cost.costUsd === null ? null : Number(cost.costUsd), inputTokens: cost.inputTokens, cachedInputTokens: cost.cachedInputTokens, outputTokens: cost.outputTokens }
          : null,
      };
    }),
  };
}
