import { and, eq, isNull, lt, sql } from "drizzle-orm";

import { recordEvent } from "@leadline/db/events";
import { alerts } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import type { Context } from "../context";
import type { SiteLimits } from "./settings";

const RULE = "budget_exhausted";

/** Sites already reported today by this process: a flood of refused messages costs one report, not one each. */
const reported = new Set<string>();

/**
 * Tells the site's team once per UTC day that its model budget is spent: an
 * alert (one open per organization, across instances, by the alerts table's
 * unique open-rule index) and a `budget.exhausted` webhook. Yesterday's alert
 * is closed first: a new day is a new budget, and a new exhaustion.
 */
export async function reportBudgetExhausted(ctx: Pick<Context, "db" | "pipeline">, limits: SiteLimits): Promise<void> {
  const day = new Date().toISOString().slice(0, 10);
  const key = `${limits.siteId}:${day}`;
  if (reported.has(key)) return;
  reported.add(key);
  if (reported.size > 10_000) reported.clear();

  const startOfDay = sql`date_trunc('day', now() at time zone 'utc') at time zone 'utc'`;
  const deliveries = await ctx.db.transaction(async (tx) => {
    await tx
      .update(alerts)
      .set({ endedAt: sql`now()` })
      .where(scopedTo(limits.organizationId, alerts, and(eq(alerts.rule, RULE), isNull(alerts.endedAt), lt(alerts.startedAt, startOfDay))));
    const details = { siteId: limits.siteId, dailyBudgetUsd: limits.dailyBudgetUsd, monthlyBudgetUsd: limits.monthlyBudgetUsd, day };
    const message = `The model budget is spent (daily $${limits.dailyBudgetUsd}, monthly $${limits.monthlyBudgetUsd}): visitors are offered the contact form instead of answers.`;
    const [alert] = await tx.insert(alerts).values({ organizationId: limits.organizationId, rule: RULE, severity: "critical", message, details }).onConflictDoNothing().returning();
    if (!alert) return [];
    return recordEvent(tx, { organizationId: limits.organizationId, type: "budget.exhausted", payload: { alertId: alert.id, ...details } });
  });
  const queue = ctx.pipeline.queue;
  // Not handed over (no queue in this process, or it failed): the worker's relay sends deliveries that were never attempted.
  for (const d of deliveries) await queue?.sendDeliverWebhook({ deliveryId: d.id, organizationId: d.organizationId }).catch(() => undefined);
}
