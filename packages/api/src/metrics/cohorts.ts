import { sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { requestTimings } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { failedShare, percentile, ratio, within, type MetricSpan, type MetricWindow } from "./windows";

export type CohortStats = {
  count: number;
  totalMs: { p50: number | null; p95: number | null };
  firstTokenMs: { p50: number | null; p95: number | null };
  errorRate: number | null;
};

const EMPTY: CohortStats = { count: 0, totalMs: { p50: null, p95: null }, firstTokenMs: { p50: null, p95: null }, errorRate: null };

type CohortRow = {
  flag: string;
  enabled: boolean;
  count: number;
  p50_total: number | null;
  p95_total: number | null;
  p50_ttft: number | null;
  p95_ttft: number | null;
  error_rate: number | null;
};

/**
 * Every flag recorded with this organization's messages in the window, its
 * enabled cohort against its control (flag off): sizes and p50/p95 of total
 * and time to first token. Unlike the rollout guard, which judges a flag
 * deployment-wide, this is one organization's view.
 */
export async function compareFlagCohorts(db: Database, organizationId: string, window: MetricWindow) {
  const rows = await db.execute<CohortRow>(sql`
    select f.key as flag,
           f.value::boolean as enabled,
           count(*)::int as count,
           ${percentile(0.5, requestTimings.totalMs)} as p50_total,
           ${percentile(0.95, requestTimings.totalMs)} as p95_total,
           ${percentile(0.5, requestTimings.timeToFirstTokenMs)} as p50_ttft,
           ${percentile(0.95, requestTimings.timeToFirstTokenMs)} as p95_ttft,
           ${failedShare(requestTimings.outcome)} as error_rate
    from ${requestTimings} cross join lateral jsonb_each_text(${requestTimings.flags}) f
    where ${scopedTo(organizationId, requestTimings, within(requestTimings.createdAt, window))}
      and f.value in ('true', 'false')
    group by 1, 2
    order by 1, 2`);
  const statsOf = (r: CohortRow | undefined): CohortStats =>
    r ? { count: r.count, totalMs: { p50: r.p50_total, p95: r.p95_total }, firstTokenMs: { p50: r.p50_ttft, p95: r.p95_ttft }, errorRate: r.error_rate } : EMPTY;
  const flags = [...new Set(rows.map((r) => r.flag))];
  return {
    window,
    flags: flags.map((flag) => ({
      flag,
      enabled: statsOf(rows.find((r) => r.flag === flag && r.enabled)),
      control: statsOf(rows.find((r) => r.flag === flag && !r.enabled)),
    })),
  };
}

type CacheRow = { namespace: string; hits: number; misses: number };

/** Cache hits and misses per namespace, summed over the window's messages. */
export async function summarizeCaches<S extends MetricSpan>(db: Database, organizationId: string, window: S) {
  const rows = await db.execute<CacheRow>(sql`
    select c.key as namespace,
           coalesce(sum((c.value ->> 'hits')::float8), 0)::float8 as hits,
           coalesce(sum((c.value ->> 'misses')::float8), 0)::float8 as misses
    from ${requestTimings} cross join lateral jsonb_each(${requestTimings.cacheHits}) c
    where ${scopedTo(organizationId, requestTimings, within(requestTimings.createdAt, window))}
    group by 1
    order by 1`);
  return {
    window,
    namespaces: rows.map((r) => ({ namespace: r.namespace, hits: r.hits, misses: r.misses, hitRate: ratio(r.hits, r.hits + r.misses) })),
  };
}
