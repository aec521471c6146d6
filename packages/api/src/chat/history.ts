import { and, asc, eq } from "drizzle-orm";

import { chatMessages, feedback } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import type { HistoryMessage } from "@leadline/validators/chat";

import type { Context } from "../context";
import type { VisitorClaims } from "./session-token";

/** The whole conversation of the visitor's session, oldest first, with their feedback. */
export async function loadConversation(ctx: Context, visitor: VisitorClaims): Promise<HistoryMessage[]> {
  const rows = await ctx.db
    .select({
      id: chatMessages.id,
      role: chatMessages.role,
      content: chatMessages.content,
      status: chatMessages.status,
      createdAt: chatMessages.createdAt,
      clientMessageId: chatMessages.clientMessageId,
      feedback: feedback.rating,
    })
    .from(chatMessages)
    .leftJoin(feedback, and(eq(feedback.messageId, chatMessages.id), eq(feedback.organizationId, chatMessages.organizationId)))
    .where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.sessionId, visitor.sessionId)))
    .orderBy(asc(chatMessages.createdAt), asc(chatMessages.role));
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}
