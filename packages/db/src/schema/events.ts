import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, real, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";

import { chatMessages } from "./chat";
import { createdAt, id, organizationId } from "./columns";

/**
 * Domain events, written in the same transaction as the data they describe
 * (the transactional outbox). The worker processes each once it is committed;
 * a relay re-enqueues any that a crash left unprocessed.
 */
export const outboxEvents = pgTable(
  "outbox_events",
  {
    id: id(),
    organizationId: organizationId(),
    /** e.g. message.received, message.replied, lead.captured, lead.qualified, lead.hot */
    type: text("type").notNull(),
    /** The message this event belongs to: the unit of background work. */
    messageId: uuid("message_id").references(() => chatMessages.id, { onDelete: "cascade" }),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [
    index("outbox_events_unprocessed_idx").on(t.createdAt).where(sql`${t.processedAt} is null`),
    index("outbox_events_message_idx").on(t.messageId),
  ],
);

/** One background stage's run; lagMs (reply commit → this stage done) is set for stages on the model lane, which finish after the row is first written. */
export type BackgroundStageRun = { name: string; ms: number; ok: boolean; error?: string; lagMs?: number };

/** One row per message whose background stages ran: when, how long after the reply, and each stage. */
export const backgroundRuns = pgTable("background_runs", {
  messageId: uuid("message_id")
    .primaryKey()
    .references(() => chatMessages.id, { onDelete: "cascade" }),
  organizationId: organizationId(),
  /** From the reply's commit to the end of its background work. */
  lagMs: real("lag_ms").notNull(),
  stages: jsonb("stages").$type<BackgroundStageRun[]>().notNull(),
  attempts: integer("attempts").notNull().default(1),
  completedAt: timestamp("completed_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Product analytics, one row per notable thing a visitor did. */
export const analyticsEvents = pgTable(
  "analytics_events",
  {
    id: id(),
    organizationId: organizationId(),
    sessionId: uuid("session_id"),
    messageId: uuid("message_id"),
    name: text("name").notNull(),
    properties: jsonb("properties").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("analytics_events_org_created_idx").on(t.organizationId, t.createdAt), unique("analytics_events_message_name_key").on(t.messageId, t.name)],
);
