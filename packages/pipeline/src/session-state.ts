import type { Database } from "@leadline/db/client";
import type { ChatMessage } from "@leadline/llm/client";

import type { PipelineCache } from "./cache";
import { HISTORY_LIMIT, type Claims } from "./lookups";

/**
 * What a message of a session needs before the model call, kept in the cache
 * (namespace "sessions") so a warm session costs no database round trip:
 * the session's visitor, its recent history exactly as the lookups would
 * read it (the newest HISTORY_LIMIT complete or partial messages, oldest
 * first), and the clientMessageIds it sent lately (a resend of one goes the
 * database's way at once, without starting the model). Written through on
 * every change: a new session, a cold lookup, each saved reply.
 */
export type SessionState = {
  /** The site the session belongs to: a token naming another is not served from here. */
  siteId: string;
  visitorId: string;
  history: ChatMessage[];
  recentClientMessageIds: string[];
};

const RECENT_CLIENT_MESSAGE_IDS = 50;

export function readSessionState(cache: PipelineCache, claims: Claims): Promise<SessionState | undefined> {
  return cache.peek<SessionState>("sessions", claims.organizationId, claims.sessionId);
}

export function writeSessionState(cache: PipelineCache, claims: Claims, state: SessionState): Promise<void> {
  return cache.set("sessions", claims.organizationId, claims.sessionId, state);
}

/**
 * Notes a clientMessageId as sent before its message is stored, so a second
 * send of it (a double click, a retry racing the first) goes the database's
 * way instead of starting a second model call. This process's copy changes
 * at once; other instances see it after the write reaches Redis.
 */
export function noteClientMessageId(cache: PipelineCache, claims: Claims, state: SessionState, clientMessageId: string): void {
  const recentClientMessageIds = [...state.recentClientMessageIds, clientMessageId].slice(-RECENT_CLIENT_MESSAGE_IDS);
  void writeSessionState(cache, claims, { ...state, recentClientMessageIds }).catch(() => undefined);
}

/**
 * After a reply is saved: the question and the answer (unless it failed) join
 * the history. Appended to what the cache holds now rather than to what the
 * turn started from, so two messages of one session answered at once keep
 * each other's turns.
 */
export async function rememberTurn(
  cache: PipelineCache,
  claims: Claims,
  started: SessionState,
  turn: { clientMessageId: string; question: string; answer: string; answerStatus: "complete" | "partial" | "failed" },
): Promise<void> {
  const now = (await readSessionState(cache, claims)) ?? started;
  const added: ChatMessage[] = [{ role: "user", content: turn.question }];
  if (turn.answerStatus !== "failed") added.push({ role: "assistant", content: turn.answer });
  await writeSessionState(cache, claims, {
    siteId: now.siteId,
    visitorId: now.visitorId,
    history: [...now.history, ...added].slice(-HISTORY_LIMIT),
    recentClientMessageIds: [...now.recentClientMessageIds.filter((id) => id !== turn.clientMessageId), turn.clientMessageId].slice(-RECENT_CLIENT_MESSAGE_IDS),
  });
}

/** The user message of a warm session was not stored: its clientMessageId was used already (or the session is gone). */
export class UserMessageNotStored extends Error {
  constructor(readonly reason: "duplicate" | "no_session") {
    super(reason === "duplicate" ? "this clientMessageId was already used" : "the chat session does not exist");
  }
}

/**
 * Stores a warm session's user message, in one statement, while the model
 * call runs: idempotent on clientMessageId, and only if the session still
 * exists under the token's site and organization. Resolves to its id.
 */
export async function storeUserMessage(db: Database, claims: Claims, message: { clientMessageId: string; text: string }): Promise<string> {
  // postgres.js's own tagged query (see HOT_PATH_SQL in save-reply.ts).
  const rows = await db.$client<{ found: boolean; id: string | null }[]>`
    with s as (
      select 1 from chat_sessions
      where id = ${claims.sessionId} and organization_id = ${claims.organizationId} and site_id = ${claims.siteId}
    ), ins as (
      insert into chat_messages (organization_id, session_id, role, content, client_message_id, answer_started_at)
      select ${claims.organizationId}, ${claims.sessionId}, 'user', ${message.text}, ${message.clientMessageId}, now() from s
      on conflict (session_id, client_message_id) do nothing
      returning id
    )
    select exists (select 1 from s) as found, (select id from ins) as id
  `;
  const row = rows[0];
  if (!row?.found) throw new UserMessageNotStored("no_session");
  if (!row.id) throw new UserMessageNotStored("duplicate");
  return row.id;
}
