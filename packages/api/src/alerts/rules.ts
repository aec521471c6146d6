import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";

import { ensureDefaultAlertRules } from "@leadline/db/alert-rules";
import type { Database, Executor } from "@leadline/db/client";
import { adminUsers, alertRuleKind, alertRules, auditLog, type AlertRuleKind } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { notFound } from "../errors";

export const ALERT_RULE_KINDS = alertRuleKind.enumValues;

/** The windows a rule may be evaluated over, in minutes. */
export const ALERT_WINDOW_MINUTES = [5, 15, 60] as const;

/**
 * Each kind's unit and the thresholds an admin may set: above zero (the
 * smallest step the column stores) and below a value past which the rule
 * could never fire or makes no sense.
 */
export const ALERT_RULE_KIND_INFO: Record<AlertRuleKind, { label: string; unit: "ms" | "ratio" | "usd"; min: number; max: number; windowed: boolean }> = {
  p95_total_above: { label: "p95 total time above", unit: "ms", min: 1, max: 600_000, windowed: true },
  error_rate_above: { label: "Error rate above", unit: "ratio", min: 0.0001, max: 1, windowed: true },
  background_lag_above: { label: "p95 background lag above", unit: "ms", min: 1, max: 3_600_000, windowed: true },
  daily_cost_above: { label: "Model cost today above", unit: "usd", min: 0.01, max: 1_000_000, windowed: false },
};

const windowMinutes = z.literal([...ALERT_WINDOW_MINUTES], { error: `forMinutes must be one of ${ALERT_WINDOW_MINUTES.join(", ")}` });

/** alerts.updateRule's input: what to change in one of the organization's rules, checked against its kind. */
export const updateAlertRuleInput = z
  .object({
    kind: z.enum(ALERT_RULE_KINDS),
    threshold: z.number().finite().positive().optional(),
    forMinutes: windowMinutes.optional(),
    enabled: z.boolean().optional(),
  })
  .superRefine((input, ctx) => {
    const info = ALERT_RULE_KIND_INFO[input.kind];
    if (input.threshold !== undefined && (input.threshold < info.min || input.threshold > info.max)) {
      ctx.addIssue({ code: "custom", path: ["threshold"], message: `A ${input.kind} threshold is ${info.min}–${info.max} (${info.unit})` });
    }
    if (input.forMinutes !== undefined && !info.windowed) {
      ctx.addIssue({ code: "custom", path: ["forMinutes"], message: `${input.kind} is over the current UTC day; it takes no forMinutes` });
    }
    if (input.threshold === undefined && input.forMinutes === undefined && input.enabled === undefined) {
      ctx.addIssue({ code: "custom", message: "Nothing to change" });
    }
  });
export type UpdateAlertRuleInput = z.infer<typeof updateAlertRuleInput>;

type RuleRow = typeof alertRules.$inferSelect;

/** The rules of these organizations, with the defaults created for any they lack. */
export async function loadAlertRules(db: Executor, organizationIds: readonly string[]): Promise<RuleRow[]> {
  if (organizationIds.length === 0) return [];
  const read = () => db.select().from(alertRules).where(inArray(alertRules.organizationId, [...organizationIds]));
  let rows = await read();
  const complete = new Set(organizationIds.filter((org) => rows.filter((r) => r.organizationId === org).length === ALERT_RULE_KINDS.length));
  if (complete.size < organizationIds.length) {
    await ensureDefaultAlertRules(db, organizationIds.filter((org) => !complete.has(org)));
    rows = await read();
  }
  return rows;
}

/** The organization's alert rules, one per kind in a fixed order, with who changed each last. */
export async function listAlertRules(db: Database, organizationId: string) {
  await loadAlertRules(db, [organizationId]);
  const rows = await db
    .select({ rule: alertRules, email: adminUsers.email })
    .from(alertRules)
    .leftJoin(adminUsers, and(eq(adminUsers.id, alertRules.updatedBy), eq(adminUsers.organizationId, alertRules.organizationId)))
    .where(scopedTo(organizationId, alertRules));
  return {
    windowsMinutes: [...ALERT_WINDOW_MINUTES],
    rules: ALERT_RULE_KINDS.flatMap((kind) => {
      const row = rows.find((r) => r.rule.kind === kind);
      return row ? [presentRule(row.rule, row.email)] : [];
    }),
  };
}

function presentRule(rule: RuleRow, updatedByEmail: string | null) {
  const info = ALERT_RULE_KIND_INFO[rule.kind];
  return {
    id: rule.id,
    kind: rule.kind,
    label: info.label,
    unit: info.unit,
    limits: { min: info.min, max: info.max },
    threshold: rule.threshold,
    forMinutes: rule.forMinutes,
    enabled: rule.enabled,
    updatedAt: rule.updatedAt.toISOString(),
    /** Email of the admin who changed it last; null while it is the default. */
    updatedBy: rule.updatedBy ? (updatedByEmail ?? "an admin") : null,
  };
}

/** Changes one of the organization's rules and records who did it and what it was before. */
export async function updateAlertRule(db: Database, admin: { userId: string; organizationId: string; email: string }, input: UpdateAlertRuleInput) {
  await loadAlertRules(db, [admin.organizationId]);
  return db.transaction(async (tx) => {
    const where = scopedTo(admin.organizationId, alertRules, eq(alertRules.kind, input.kind));
    const [before] = await tx.select().from(alertRules).where(where).for("update");
    if (!before) throw notFound("Alert rule");
    const changes = { threshold: input.threshold, forMinutes: input.forMinutes, enabled: input.enabled };
    const [after] = await tx
      .update(alertRules)
      .set({ ...changes, updatedAt: new Date(), updatedBy: admin.userId })
      .where(where)
      .returning();
    if (!after) throw notFound("Alert rule");
    const snapshot = (r: RuleRow) => ({ threshold: r.threshold, forMinutes: r.forMinutes, enabled: r.enabled });
    await tx.insert(auditLog).values({
      organizationId: admin.organizationId,
      actorType: "admin",
      actorId: admin.userId,
      action: "alert_rule.update",
      targetType: "alert_rule",
      targetId: input.kind,
      details: { before: snapshot(before), after: snapshot(after) },
    });
    return presentRule(after, admin.email);
  });
}
