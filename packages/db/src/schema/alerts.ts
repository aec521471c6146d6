import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, numeric, pgEnum, pgTable, text, timestamp, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";

import { id, organizationId, updatedAt } from "./columns";
import { adminUsers } from "./tenancy";

export const alertSeverity = pgEnum("alert_severity", ["info", "warning", "critical"]);

export const alerts = pgTable(
  "alerts",
  {
    id: id(),
    organizationId: organizationId(),
    /** The rule that fired, e.g. "p95_total_above" or "rollout_guard". */
    rule: text("rule").notNull(),
    severity: alertSeverity("severity").notNull(),
    message: text("message").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    /** Null while the alert is open. */
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [
    index("alerts_org_started_idx").on(t.organizationId, t.startedAt),
    // At most one open alert per rule: the evaluator's "open unless already open" holds even if two ever race.
    uniqueIndex("alerts_open_rule_key").on(t.organizationId, t.rule).where(sql`${t.endedAt} is null`),
  ],
);

export const alertRuleKind = pgEnum("alert_rule_kind", ["p95_total_above", "error_rate_above", "background_lag_above", "daily_cost_above"]);
export type AlertRuleKind = (typeof alertRuleKind.enumValues)[number];

/**
 * What the worker's alert evaluator watches, one row per organization and
 * kind. Thresholds are in the kind's unit: milliseconds (p95 total, background
 * lag p95), a share 0–1 (error rate) or US dollars (daily cost). for_minutes is
 * the window the metric is computed over; the daily cost rule has none (it is
 * the current UTC day so far).
 */
export const alertRules = pgTable(
  "alert_rules",
  {
    id: id(),
    organizationId: organizationId(),
    kind: alertRuleKind("kind").notNull(),
    threshold: numeric("threshold", { precision: 14, scale: 4, mode: "number" }).notNull(),
    forMinutes: integer("for_minutes"),
    enabled: boolean("enabled").notNull().default(true),
    updatedAt: updatedAt(),
    /** The admin who last changed the rule; null for the defaults. */
    updatedBy: uuid("updated_by").references(() => adminUsers.id, { onDelete: "set null" }),
  },
  (t) => [
    unique("alert_rules_org_kind_key").on(t.organizationId, t.kind),
    check("alert_rules_threshold_positive", sql`${t.threshold} > 0`),
    check("alert_rules_window", sql`(${t.kind} = 'daily_cost_above') = (${t.forMinutes} is null)`),
  ],
);
