import { and, eq } from "drizzle-orm";

import { chatMessages, feedback } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import type { HistoryPage } from "@leadline/validators/chat";

import type { Context } from "../context";
import { decodeMessageCursor, messageCursorAt, newestFirst, olderThan, pageOfMessages } from "../conversations/message-page";
import type { VisitorClaims } from "./session-token";

/** A page of the visitor's conversation, with their feedback: the latest messages, or those older than `cursor`. */
export async function loadConversation(ctx: Context, visitor: VisitorClaims, input: { cursor?: string; limit: number }): Promise<HistoryPage> {
  const key = input.cursor ? decodeMessageCursor(input.cursor) : null;
  const rows = await ctx.db
    .select({
      id: chatMessages.id,
      role: chatMessages.role,
      content: chatMessages.content,
      status: chatMessages.status,
      createdAt: chatMessages.createdAt,
      clientMessageId: chatMessages.clientMessageId,
      feedback: feedback.rating,
      cursorAt: messageCursorAt,
    })
    .from(chatMessages)
    .leftJoin(feedback, and(eq(feedback.messageId, chatMessages.id), eq(feedback.organizationId, chatMessages.organizationId)))
    .where(scopedTo(visitor.organizationId, chatMessages, eq(chatMessages.sessionId, visitor.sessionId), key ? olderThan(key) : undefined))
    .orderBy(...newestFirst)
    .limit(input.limit + 1);
  const page = pageOfMessages(rows, input.limit);
  return { messages: page.items.map(({ cursorAt: _, ...r }) => ({ ...r, createdAt: r.createdAt.toISOString() })), nextCursor: page.nextCursor };
}
