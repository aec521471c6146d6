import { boolean, integer, jsonb, numeric, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

import { chatMessages } from "./chat";
import { createdAt, id, organizationId } from "./columns";

/** Prices per million tokens, in USD. Global (not tenant-owned): the provider's list prices. */
export const modelRates = pgTable("model_rates", {
  id: id(),
  model: text("model").notNull().unique(),
  inputPerMillion: numeric("input_per_million", { precision: 12, scale: 6 }).notNull(),
  cachedInputPerMillion: numeric("cached_input_per_million", { precision: 12, scale: 6 }).notNull(),
  outputPerMillion: numeric("output_per_million", { precision: 12, scale: 6 }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type CostBreakdown = { input: string; cachedInput: string; output: string };

// The (organization_id, created_at) index is built CONCURRENTLY in migrations/concurrent.
export const messageCosts = pgTable("message_costs", {
  id: id(),
  organizationId: organizationId(),
  messageId: uuid("message_id")
    .notNull()
    .unique("message_costs_message_key")
    .references(() => chatMessages.id, { onDelete: "cascade" }),
  model: text("model").notNull(),
  inputTokens: integer("input_tokens").notNull(),
  cachedInputTokens: integer("cached_input_tokens").notNull(),
  outputTokens: integer("output_tokens").notNull(),
  /** False when the model has no rate: the cost is unknown, never $0. */
  priced: boolean("priced").notNull(),
  costUsd: numeric("cost_usd", { precision: 14, scale: 8 }),
  breakdown: jsonb("breakdown").$type<CostBreakdown>(),
  createdAt: createdAt(),
});
