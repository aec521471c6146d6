import { desc, sql, type SQL } from "drizzle-orm";

import { chatMessages } from "@leadline/db/schema";

import { badRequest } from "../errors";
import { exactTime, INVALID_CURSOR, isExactTime, isUuid } from "../leads/cursor";

/**
 * Pages of one session's messages, newest page first, each page oldest
 * message first (as a transcript reads); the cursor leads to older messages.
 * A session can hold hundreds of messages: the widget and the admin show the
 * latest and fetch older ones on request. Shared by chat.history and
 * conversations.get so both order and page messages the same way.
 *
 * The order is (created_at, role, id): a question and its answer written in
 * the same instant still read question first (the role enum is user, then
 * assistant). Times are kept to the microsecond, as in leads/cursor.ts.
 */
type Role = (typeof chatMessages.role.enumValues)[number];
export type MessageKey = { at: string; role: Role; id: string };

const ROLES: readonly string[] = chatMessages.role.enumValues;

/** Select this with the messages: the exact time their cursor needs. */
export const messageCursorAt = exactTime(chatMessages.createdAt);

/** Newest first, the reverse of how a page is returned. */
export const newestFirst = [desc(chatMessages.createdAt), desc(chatMessages.role), desc(chatMessages.id)] as const;

export function encodeMessageCursor(key: MessageKey): string {
  return Buffer.from(`${key.at}|${key.role}|${key.id}`).toString("base64url");
}

export function decodeMessageCursor(cursor: string): MessageKey {
  const [at = "", role = "", id = "", ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (rest.length > 0 || !isExactTime(at) || !ROLES.includes(role) || !isUuid(id)) throw badRequest(INVALID_CURSOR);
  return { at, role: role as Role, id };
}

/** The messages before the cursor's, in `newestFirst` order. */
export const olderThan = (key: MessageKey): SQL =>
  sql`(${chatMessages.createdAt}, ${chatMessages.role}, ${chatMessages.id}) < (${key.at}::timestamptz, ${key.role}::message_role, ${key.id}::uuid)`;

/**
 * `rows`: up to limit + 1 messages in `newestFirst` order. Returns the page
 * oldest first, and a cursor to the older messages when there are any.
 */
export function pageOfMessages<T extends { id: string; role: Role; cursorAt: string }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const oldest = items.at(-1);
  const nextCursor = rows.length > limit && oldest ? encodeMessageCursor({ at: oldest.cursorAt, role: oldest.role, id: oldest.id }) : null;
  return { items: items.reverse(), nextCursor };
}
