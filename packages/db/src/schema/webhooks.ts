import { boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";

import { createdAt, id, organizationId } from "./columns";

export const webhookEndpoints = pgTable("webhook_endpoints", {
  id: id(),
  organizationId: organizationId(),
  url: text("url").notNull(),
  /** Standard Webhooks signing secret ("whsec_…"). */
  secret: text("secret").notNull(),
  /** Event types delivered here; empty means all. */
  eventTypes: text("event_types").array().notNull().default([]),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: createdAt(),
});

export const deliveryStatus = pgEnum("webhook_delivery_status", ["pending", "delivered", "failed", "dead"]);

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    organizationId: organizationId(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    /** The event's id: the same on every retry, so receivers can drop duplicates. */
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: deliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    unique("webhook_deliveries_endpoint_event_key").on(t.endpointId, t.eventId),
    index("webhook_deliveries_org_created_idx").on(t.organizationId, t.createdAt),
    // A partial index of the deliveries never attempted is built CONCURRENTLY in migrations/concurrent.
  ],
);
