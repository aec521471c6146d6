import { sql } from "drizzle-orm";
import { jsonb, numeric, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

import { createdAt, id, organizationId, updatedAt } from "./columns";

export { organizations } from "./organizations";

export type SiteTheme = {
  title: string;
  primaryColor: string;
  position: "bottom-right" | "bottom-left";
};

export type QualificationSettings = {
  /** Score at or above which a lead is "qualified". */
  qualifiedScore: number;
  /** Score at or above which a lead is "hot". */
  hotScore: number;
};

/**
 * A site's own abuse limits; a field left out takes the deployment's default
 * (see the server's RATE_LIMIT_* settings). Counts are per minute, except the
 * per-session message cap.
 */
export type SiteRateLimits = Partial<{
  /** Messages one chat session may send per minute. */
  sessionMessagesPerMinute: number;
  /** Messages one client address may send per minute, over all its sessions. */
  addressMessagesPerMinute: number;
  /** Messages the whole site may receive per minute. */
  siteMessagesPerMinute: number;
  /** Chat sessions one client address may start per minute. */
  addressSessionsPerMinute: number;
  /** Chat sessions the whole site may start per minute. */
  siteSessionsPerMinute: number;
  /** Messages one session may send in all; the visitor is told when it is reached. */
  messagesPerSession: number;
}>;

export const sites = pgTable("sites", {
  id: id(),
  organizationId: organizationId(),
  name: text("name").notNull(),
  /** Public site key used in the embed snippet: not a secret. */
  publicKey: text("public_key").notNull().unique(),
  allowedOrigins: text("allowed_origins").array().notNull().default(sql`'{}'::text[]`),
  theme: jsonb("theme").$type<SiteTheme>().notNull(),
  greeting: text("greeting").notNull(),
  systemPrompt: text("system_prompt").notNull(),
  qualificationSettings: jsonb("qualification_settings").$type<QualificationSettings>().notNull(),
  rateLimits: jsonb("rate_limits").$type<SiteRateLimits>().notNull().default({}),
  /** Model spend allowed per UTC day and calendar month, in USD; null takes the deployment's default. */
  dailyBudgetUsd: numeric("daily_budget_usd", { precision: 12, scale: 4 }),
  monthlyBudgetUsd: numeric("monthly_budget_usd", { precision: 12, scale: 4 }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const adminRole = pgEnum("admin_role", ["viewer", "admin"]);

export const adminUsers = pgTable(
  "admin_users",
  {
    id: id(),
    organizationId: organizationId(),
    email: text("email").notNull(),
    role: adminRole("role").notNull().default("viewer"),
    passwordHash: text("password_hash").notNull(),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("admin_users_email_key").on(sql`lower(${t.email})`)],
);

export const auditLog = pgTable("audit_log", {
  id: id(),
  organizationId: organizationId(),
  /** "admin" (with actorId), "system" (the rollout guard, the worker) or "visitor". */
  actorType: text("actor_type").notNull(),
  actorId: uuid("actor_id"),
  action: text("action").notNull(),
  targetType: text("target_type"),
  targetId: text("target_id"),
  reason: text("reason"),
  details: jsonb("details").$type<Record<string, unknown>>(),
  createdAt: createdAt(),
});
