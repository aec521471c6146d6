import { boolean, index, integer, pgEnum, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";

import { createdAt, id, organizationId } from "./columns";
import { sites } from "./tenancy";

export const visitors = pgTable(
  "visitors",
  {
    id: id(),
    organizationId: organizationId(),
    siteId: uuid("site_id")
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    /** The widget's own random id for this browser, if it sent one. */
    externalId: text("external_id"),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("visitors_site_external_key").on(t.siteId, t.externalId)],
);

export const chatSessions = pgTable("chat_sessions", {
  id: id(),
  organizationId: organizationId(),
  siteId: uuid("site_id")
    .notNull()
    .references(() => sites.id, { onDelete: "cascade" }),
  // The plan calls this column user_id: the person chatting is a visitor, and
  // "user" here would be confused with admin users. The plan's index
  // (visitor_id, organization_id) is built CONCURRENTLY in migrations/concurrent.
  visitorId: uuid("visitor_id")
    .notNull()
    .references(() => visitors.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
  lastMessageAt: timestamp("last_message_at", { withTimezone: true }),
});

export const messageRole = pgEnum("message_role", ["user", "assistant"]);
export const messageStatus = pgEnum("message_status", ["complete", "partial", "failed"]);

export const chatMessages = pgTable(
  "chat_messages",
  {
    id: id(),
    organizationId: organizationId(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => chatSessions.id, { onDelete: "cascade" }),
    role: messageRole("role").notNull(),
    content: text("content").notNull(),
    status: messageStatus("status").notNull().default("complete"),
    /** Set by the widget on user messages: a resend with the same id is the same message. */
    clientMessageId: text("client_message_id"),
    /**
     * On user messages: when a server started answering it. A resend while this
     * is recent waits for that answer instead of calling the model again.
     */
    answerStartedAt: timestamp("answer_started_at", { withTimezone: true }),
    /** On assistant messages: the user message this answers. */
    replyToId: uuid("reply_to_id"),
    model: text("model"),
    promptTokens: integer("prompt_tokens"),
    cachedPromptTokens: integer("cached_prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    /** True when the model sent no usage and the counts were estimated. */
    usageEstimated: boolean("usage_estimated").notNull().default(false),
    errorCode: text("error_code"),
    createdAt: createdAt(),
  },
  (t) => [
    unique("chat_messages_session_client_key").on(t.sessionId, t.clientMessageId),
    // One answer per user message: a resend can never cause a second model call's row.
    unique("chat_messages_reply_to_key").on(t.replyToId),
    // The plan's (session_id, created_at desc) index is built CONCURRENTLY in migrations/concurrent.
  ],
);

export const feedbackRating = pgEnum("feedback_rating", ["up", "down"]);

export const feedback = pgTable(
  "feedback",
  {
    id: id(),
    organizationId: organizationId(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => chatSessions.id, { onDelete: "cascade" }),
    messageId: uuid("message_id")
      .notNull()
      .references(() => chatMessages.id, { onDelete: "cascade" }),
    rating: feedbackRating("rating").notNull(),
    comment: text("comment"),
    createdAt: createdAt(),
  },
  (t) => [unique("feedback_message_key").on(t.messageId), index("feedback_org_created_idx").on(t.organizationId, t.createdAt)],
);
