import { date, index, integer, numeric, pgTable, primaryKey, timestamp, uuid, varchar } from "drizzle-orm/pg-core";

import { organizationId } from "./columns";
import { sites } from "./tenancy";

/**
 * Rate-limit counters when no Redis is configured: the shape
 * rate-limiter-flexible's RateLimiterDrizzle reads and writes (one row per
 * key, reset once `expire` has passed), shared by every server instance.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: varchar("key", { length: 255 }).primaryKey(),
    points: integer("points").notNull().default(0),
    expire: timestamp("expire", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("rate_limits_expire_idx").on(t.expire)],
);

/**
 * A site's model spend per UTC day. A message reserves its worst case before
 * the model is called and settles to the real cost after; a month's spend is
 * the sum of its days. Reservations a crashed process never settled count
 * only on their own day.
 */
export const siteSpend = pgTable(
  "site_spend",
  {
    siteId: uuid("site_id")
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    organizationId: organizationId(),
    day: date("day", { mode: "string" }).notNull(),
    reservedUsd: numeric("reserved_usd", { precision: 14, scale: 8 }).notNull().default("0"),
    spentUsd: numeric("spent_usd", { precision: 14, scale: 8 }).notNull().default("0"),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day] })],
);

/**
 * Refused chat calls per site, minute and reason (rate_limited, session_cap,
 * budget_exhausted), for the dashboard: counted in memory and added here in
 * batches, so a flood of refusals costs a row a minute, not a row each.
 */
export const refusalCounts = pgTable(
  "refusal_counts",
  {
    siteId: uuid("site_id")
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    organizationId: organizationId(),
    minute: timestamp("minute", { withTimezone: true, mode: "date" }).notNull(),
    reason: varchar("reason", { length: 32 }).notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.minute, t.reason] }), index("refusal_counts_org_minute_idx").on(t.organizationId, t.minute)],
);
