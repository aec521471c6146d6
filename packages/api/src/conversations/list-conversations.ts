import { desc, eq, sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { chatMessages, chatSessions, leads } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { after, decodeCursor, exactTime, pageOf } from "../leads/cursor";

/**
 * The organization's conversations (sessions with at least one message), the
 * most recently active first: message count, last message time, and the
 * lead the conversation produced, if any.
 */
export async function listConversations(db: Database, organizationId: string, input: { limit: number; cursor?: string }) {
  const key = input.cursor ? decodeCursor(input.cursor) : null;
  const ofThisSession = scopedTo(organizationId, chatMessages, eq(chatMessages.sessionId, chatSessions.id));
  // last_message_at is kept by every saved reply; a session whose only message got no reply falls back to its start.
  const activity = sql`coalesce(${chatSessions.lastMessageAt}, ${chatSessions.createdAt})`;
  const rows = await db
    .select({
      id: chatSessions.id,
      siteId: chatSessions.siteId,
      visitorId: chatSessions.visitorId,
      startedAt: chatSessions.createdAt,
      messageCount: sql<number>`(select count(*)::int from ${chatMessages} where ${ofThisSession})`,
      lastMessageAt: sql<Date>`(select max(${chatMessages.createdAt}) from ${chatMessages} where ${ofThisSession})`.mapWith(chatMessages.createdAt),
      leadId: leads.id,
      leadStatus: leads.status,
      leadScore: leads.score,
      cursorAt: exactTime(activity),
    })
    .from(chatSessions)
    .leftJoin(leads, scopedTo(organizationId, leads, eq(leads.sessionId, chatSessions.id)))
    .where(scopedTo(organizationId, chatSessions, sql`exists (select 1 from ${chatMessages} where ${ofThisSession})`, key ? after(activity, chatSessions.id, key) : undefined))
    .orderBy(desc(activity), desc(chatSessions.id))
    .limit(input.limit + 1);
  const page = pageOf(rows, input.limit, (r) => ({ at: r.cursorAt, id: r.id }));
  return {
    items: page.items.map((r) => ({
      sessionId: r.id,
      siteId: r.siteId,
      visitorId: r.visitorId,
      startedAt: r.startedAt.toISOString(),
      lastMessageAt: r.lastMessageAt.toISOString(),
      messageCount: r.messageCount,
      lead: r.leadId && r.leadStatus && r.leadScore !== null ? { id: r.leadId, status: r.leadStatus, score: r.leadScore } : null,
    })),
    nextCursor: page.nextCursor,
  };
}
