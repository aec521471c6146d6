import { index, jsonb, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";

import { id, organizationId } from "./columns";

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
  (t) => [index("alerts_org_started_idx").on(t.organizationId, t.startedAt)],
);
