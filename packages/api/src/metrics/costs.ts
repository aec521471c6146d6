import { and, desc, inArray, sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { leads, messageCosts } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { ratio, within, type MetricSpan } from "./windows";

// Sums of numeric(14,8) come back as float8: dollars for a dashboard, not for invoices.
const pricedUsd = sql<number>`coalesce(sum(${messageCosts.costUsd}) filter (where ${messageCosts.priced}), 0)::float8`;
const pricedCount = sql<number>`(count(*) filter (where ${messageCosts.priced}))::int`;
const unpricedCount = sql<number>`(count(*) filter (where not ${messageCosts.priced}))::int`;

/** The window's total: what priced replies cost, and how many replies were priced and unpriced. */
export async function sumCosts(db: Database, organizationId: string, window: MetricSpan) {
  const [row] = await db
    .select({ usd: pricedUsd, priced: pricedCount, unpriced: unpricedCount })
    .from(messageCosts)
    .where(scopedTo(organizationId, messageCosts, within(messageCosts.createdAt, window)));
  return { usd: row?.usd ?? 0, priced: row?.priced ?? 0, unpriced: row?.unpriced ?? 0 };
}

/**
 * What the window's replies cost: the total of priced replies (an unpriced
 * one, whose model has no rate, is counted apart, never as $0), by UTC day,
 * by model, and per lead that reached qualified or hot in the window.
 */
export async function summarizeCosts<S extends MetricSpan>(db: Database, organizationId: string, window: S) {
  const inWindow = scopedTo(organizationId, messageCosts, within(messageCosts.createdAt, window));
  const day = sql<string>`to_char(${messageCosts.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const [total, byDay, byModel, [qualified]] = await Promise.all([
    sumCosts(db, organizationId, window),
    db.select({ day, usd: pricedUsd, priced: pricedCount, unpriced: unpricedCount }).from(messageCosts).where(inWindow).groupBy(day).orderBy(day),
    db
      .select({
        model: messageCosts.model,
        usd: pricedUsd,
        priced: pricedCount,
        unpriced: unpricedCount,
        inputTokens: sql<number>`coalesce(sum(${messageCosts.inputTokens}), 0)::float8`,
        outputTokens: sql<number>`coalesce(sum(${messageCosts.outputTokens}), 0)::float8`,
      })
      .from(messageCosts)
      .where(inWindow)
      .groupBy(messageCosts.model)
      .orderBy(desc(pricedUsd), messageCosts.model),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(leads)
      .where(scopedTo(organizationId, leads, and(inArray(leads.status, ["qualified", "hot"]), within(leads.updatedAt, window)))),
  ]);
  const totalUsd = total.usd;
  const qualifiedLeads = qualified?.n ?? 0;
  return {
    window,
    totalUsd,
    pricedMessages: total.priced,
    unpricedMessages: total.unpriced,
    qualifiedLeads,
    usdPerQualifiedLead: ratio(totalUsd, qualifiedLeads),
    byDay: byDay.map((d) => ({ day: d.day, usd: d.usd, pricedMessages: d.priced, unpricedMessages: d.unpriced })),
    byModel: byModel.map((m) => ({ model: m.model, usd: m.usd, pricedMessages: m.priced, unpricedMessages: m.unpriced, inputTokens: m.inputTokens, outputTokens: m.outputTokens })),
  };
}
