import { index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

import { createdAt, organizationId } from "./columns";
import { adminUsers } from "./tenancy";

/**
 * One row per logged-in browser. The cookie holds a random 32-byte token; only
 * its SHA-256 is stored, so a copy of this table cannot be replayed as a login.
 */
export const adminSessions = pgTable(
  "admin_sessions",
  {
    /** Hex SHA-256 of the cookie's token: the lookup key, never the token itself. */
    id: text("id").primaryKey(),
    organizationId: organizationId(),
    adminUserId: uuid("admin_user_id")
      .notNull()
      .references(() => adminUsers.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    /** Slides with use (idle limit) but never past created_at + the absolute limit. */
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    userAgent: text("user_agent"),
  },
  (t) => [index("admin_sessions_user_idx").on(t.adminUserId), index("admin_sessions_org_expires_idx").on(t.organizationId, t.expiresAt)],
);

export const loginThrottleScope = pgEnum("login_throttle_scope", ["email", "ip", "ip_email"]);

/**
 * Failed logins per email and per client IP within a window, and the lock
 * they led to. Not tenant-owned: it is keyed by what a caller typed or where
 * they came from, before any organization is known (and whether the email
 * belongs to anyone must not show).
 */
export const loginThrottles = pgTable(
  "login_throttles",
  {
    scope: loginThrottleScope("scope").notNull(),
    /** The lower-cased email, or the IP (an IPv6 address by its /64). */
    key: text("key").notNull(),
    failures: integer("failures").notNull().default(0),
    windowStartedAt: timestamp("window_started_at", { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("login_throttles_window_idx").on(t.windowStartedAt)],
);
