import { index, integer, jsonb, pgTable, real, text, uuid } from "drizzle-orm/pg-core";

import { chatMessages, chatSessions } from "./chat";
import { createdAt, id, organizationId } from "./columns";
import { sites } from "./tenancy";

export type StageTiming = { name: string; mode: "inline" | "parallel" | "background"; ms: number; ok: boolean };

/** One row per chat message: where its time went. All durations in milliseconds. */
export const requestTimings = pgTable(
  "request_timings",
  {
    id: id(),
    organizationId: organizationId(),
    siteId: uuid("site_id")
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => chatSessions.id, { onDelete: "cascade" }),
    messageId: uuid("message_id").references(() => chatMessages.id, { onDelete: "set null" }),
    timeToFirstTokenMs: real("time_to_first_token_ms"),
    llmMs: real("llm_ms"),
    totalMs: real("total_ms").notNull(),
    criticalPostMs: real("critical_post_ms"),
    backgroundLagMs: real("background_lag_ms"),
    dbMs: real("db_ms"),
    stages: jsonb("stages").$type<StageTiming[]>().notNull().default([]),
    flags: jsonb("flags").$type<Record<string, boolean>>().notNull().default({}),
    complexity: text("complexity"),
    cacheHits: jsonb("cache_hits").$type<Record<string, { hits: number; misses: number }>>().notNull().default({}),
    outcome: text("outcome").notNull().default("complete"),
    errorCode: text("error_code"),
    promptTokens: integer("prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    createdAt: createdAt(),
  },
  (t) => [index("request_timings_org_created_idx").on(t.organizationId, t.createdAt)],
);
