import type { Executor } from "./client";
import { alertRules, type AlertRuleKind } from "./schema/index";

/**
 * What every organization starts with, all enabled. Chosen to stay quiet on a
 * healthy deployment (a reply usually completes in 2–5 s; background work in
 * well under a second) and to speak up when visitors would notice.
 */
export const DEFAULT_ALERT_RULES: readonly { kind: AlertRuleKind; threshold: number; forMinutes: number | null }[] = [
  /** p95 of a message's total time above 8 s over 5 minutes. */
  { kind: "p95_total_above", threshold: 8_000, forMinutes: 5 },
  /** More than 5 % of messages failed over 5 minutes. */
  { kind: "error_rate_above", threshold: 0.05, forMinutes: 5 },
  /** p95 of background lag (reply committed → its background work done) above 5 s over 5 minutes. */
  { kind: "background_lag_above", threshold: 5_000, forMinutes: 5 },
  /** More than $50 of model cost in the current UTC day. */
  { kind: "daily_cost_above", threshold: 50, forMinutes: null },
];

/** Creates the default rules the organizations lack; leaves existing (possibly edited) rules alone. */
export async function ensureDefaultAlertRules(db: Executor, organizationIds: readonly string[]): Promise<void> {
  if (organizationIds.length === 0) return;
  await db
    .insert(alertRules)
    .values(organizationIds.flatMap((organizationId) => DEFAULT_ALERT_RULES.map((rule) => ({ organizationId, ...rule }))))
    .onConflictDoNothing({ target: [alertRules.organizationId, alertRules.kind] });
}

