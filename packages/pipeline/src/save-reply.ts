import { eq, sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { chatMessages, chatSessions, outboxEvents } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import type { LlmEvent } from "@leadline/llm/client";

import type { Claims } from "./lookups";

export type LlmEnd = Extract<LlmEvent, { type: "end" }>;

/**
 * The critical save after the last token: the assistant message and the
 * domain events announcing it, atomically. Batched, that is one statement
 * (data-modifying CTEs), so one round trip is all the visitor waits for.
 * Not batched: the plan's original, a transaction of separate statements.
 *
 * HOT_PATH_SQL: the two statements of every warm message (this one and
 * storeUserMessage) are postgres.js's own tagged queries, not drizzle's sql
 * template: postgres.js keys a tagged query by its string parts, built once,
 * while drizzle rebuilds the query text and its parameter list on every call
 * (its query building led the request thread's CPU profile). Both stay
 * prepared statements (prepareAnswerPath runs them on every connection).
 */
export async function saveReply(
  db: Database,
  claims: Claims,
  userMessageId: string,
  end: LlmEnd,
  batched: boolean,
  /** The background job this reply needs, kept with its message.replied event for the outbox relay. */
  job: { stages: string[]; complexity: string; flags: Record<string, boolean> },
): Promise<{ messageId: string }> {
  const reply = {
    organizationId: claims.organizationId,
    sessionId: claims.sessionId,
    role: "assistant" as const,
    content: end.text,
    status: end.status,
    replyToId: userMessageId,
    model: end.model,
    promptTokens: end.usage.promptTokens,
    cachedPromptTokens: end.usage.cachedPromptTokens,
    completionTokens: end.usage.completionTokens,
    usageEstimated: end.usage.estimated,
    errorCode: end.error?.code ?? null,
  };
  const payload = { sessionId: claims.sessionId, userMessageId, status: end.status, model: end.model };
  const jobFor = (messageId: string) => ({ ...job, messageId, organizationId: claims.organizationId });
  if (batched) {
    const rows = await db.$client<{ id: string }[]>`
      with reply as (
        insert into chat_messages (organization_id, session_id, role, content, status, reply_to_id, model,
          prompt_tokens, cached_prompt_tokens, completion_tokens, usage_estimated, error_code)
        values (${reply.organizationId}, ${reply.sessionId}, 'assistant', ${reply.content}, ${reply.status}, ${reply.replyToId}, ${reply.model},
          ${reply.promptTokens}, ${reply.cachedPromptTokens}, ${reply.completionTokens}, ${reply.usageEstimated}, ${reply.errorCode})
        returning id
      ), events as (
        insert into outbox_events (organization_id, type, message_id, payload)
        select ${claims.organizationId}, t.type, reply.id,
          ${JSON.stringify(payload)}::jsonb || jsonb_build_object('messageId', reply.id)
            || case when t.type = 'message.replied'
               then jsonb_build_object('job', ${JSON.stringify(job)}::jsonb || jsonb_build_object('messageId', reply.id, 'organizationId', ${claims.organizationId}::text))
               else '{}'::jsonb end
        from reply, (values ('message.received'), ('message.replied')) as t(type)
      ), touched as (
        update chat_sessions set last_message_at = now() where id = ${claims.sessionId} and organization_id = ${claims.organizationId}
      )
      select id from reply`;
    const id = rows[0]?.id;
    if (!id) throw new Error("assistant message was not stored");
    return { messageId: id };
  }
  return db.transaction(async (tx) => {
    const [message] = await tx.insert(chatMessages).values(reply).returning({ id: chatMessages.id });
    if (!message) throw new Error("assistant message was not stored");
    for (const type of ["message.received", "message.replied"]) {
      const extra = type === "message.replied" ? { job: jobFor(message.id) } : {};
      await tx.insert(outboxEvents).values({ organizationId: claims.organizationId, type, messageId: message.id, payload: { ...payload, messageId: message.id, ...extra } });
    }
    await tx.update(chatSessions).set({ lastMessageAt: sql`now()` }).where(scopedTo(claims.organizationId, chatSessions, eq(chatSessions.id, claims.sessionId)));
    return { messageId: message.id };
  });
}
