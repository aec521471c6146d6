import { sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { refusalCounts } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { within, type MetricSpan } from "./windows";

/** Chat calls refused in the window before any work (rate limits, the session cap, spent budgets), by reason. */
export async function summarizeRefusals<S extends MetricSpan>(db: Database, organizationId: string, window: S) {
  const rows = await db
    .select({ reason: refusalCounts.reason, count: sql<number>`sum(${refusalCounts.count})::int` })
    .from(refusalCounts)
    .where(scopedTo(organizationId, refusalCounts, within(refusalCounts.minute, window)))
    .groupBy(refusalCounts.reason);
  const by = (reason: string) => rows.find((r) => r.reason === reason)?.count ?? 0;
  return { window, rateLimited: by("rate_limited"), sessionCap: by("session_cap"), budgetExhausted: by("budget_exhausted") };
}
