import { eq, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

import type { Database } from "@leadline/db/client";
import { backgroundRuns, requestTimings } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { failedShare, percentile, ratio, within, type MetricSpan } from "./windows";

const percentiles = (expr: SQL | PgColumn) => ({ p50: percentile(0.5, expr), p95: percentile(0.95, expr), p99: percentile(0.99, expr) });

/**
 * Where visitors' time went over the window: message count, error rate and
 * p50/p95/p99 of each duration. Background lag is that of the same messages'
 * background runs (0 for a message whose stages all ran before the reply).
 */
export async function summarizeLatency<S extends MetricSpan>(db: Database, organizationId: string, window: S) {
  const [row] = await db
    .select({
      count: sql<number>`count(*)::int`,
      errorRate: failedShare(requestTimings.outcome),
      totalMs: percentiles(requestTimings.totalMs),
      firstTokenMs: percentiles(requestTimings.timeToFirstTokenMs),
      llmMs: percentiles(requestTimings.llmMs),
      criticalPostMs: percentiles(requestTimings.criticalPostMs),
      backgroundRuns: sql<number>`count(${backgroundRuns.lagMs})::int`,
      backgroundLagMs: percentiles(backgroundRuns.lagMs),
    })
    .from(requestTimings)
    // background_runs has one row per message at most: the join never multiplies timings.
    .leftJoin(backgroundRuns, scopedTo(organizationId, backgroundRuns, eq(backgroundRuns.messageId, requestTimings.messageId)))
    .where(scopedTo(organizationId, requestTimings, within(requestTimings.createdAt, window)));
  if (!row) throw new Error("an aggregate query returned no row");
  return {
    window,
    count: row.count,
    errorRate: row.errorRate,
    totalMs: row.totalMs,
    firstTokenMs: row.firstTokenMs,
    llmMs: row.llmMs,
    criticalPostMs: row.criticalPostMs,
    backgroundLag: { count: row.backgroundRuns, ...row.backgroundLagMs },
  };
}

type StageRow = {
  window_total: number;
  // The rest is null on the single row of a window without stages.
  name: string | null;
  mode: string;
  count: number;
  failures: number;
  p50: number | null;
  p95: number | null;
  ms_sum: number;
};

/**
 * Each pipeline stage by name and mode over the window: how often it ran,
 * p50/p95 of its duration, failures, and its share of all visitors' time
 * (sum of its ms / sum of total_ms). Parallel stages overlap, so shares can
 * add up to more than 1. Background stages are timed by their own runs (the
 * window's messages' background_runs): their durations are the worker's, and
 * their share is 0, as they cost the visitor nothing.
 */
export async function summarizeStages<S extends MetricSpan>(db: Database, organizationId: string, window: S) {
  const rows = await db.execute<StageRow>(sql`
    with w as (
      select ${requestTimings.messageId} as message_id, ${requestTimings.totalMs} as total_ms, ${requestTimings.stages} as stages
      from ${requestTimings}
      where ${scopedTo(organizationId, requestTimings, within(requestTimings.createdAt, window))}
    ),
    spans as (
      select s ->> 'name' as name, s ->> 'mode' as mode, (s ->> 'ms')::float8 as ms, (s ->> 'ok')::boolean as ok
      from w cross join lateral jsonb_array_elements(w.stages) s
      where s ->> 'mode' <> 'background'
      union all
      select b ->> 'name', 'background', (b ->> 'ms')::float8, (b ->> 'ok')::boolean
      from w
      join ${backgroundRuns} br on br.message_id = w.message_id and br.organization_id = ${organizationId}
      cross join lateral jsonb_array_elements(br.stages) b
    ),
    per_stage as (
      select name, mode,
             count(*)::int as count,
             (count(*) filter (where ok is false))::int as failures,
             ${percentile(0.5, sql`ms`)} as p50,
             ${percentile(0.95, sql`ms`)} as p95,
             coalesce(sum(ms) filter (where mode <> 'background'), 0)::float8 as ms_sum
      from spans
      group by 1, 2
    )
    -- One row even when no message recorded a stage: the window's total is still known.
    select t.window_total, p.*
    from (select coalesce(sum(total_ms), 0)::float8 as window_total from w) t
    left join per_stage p on true
    order by p.ms_sum desc nulls last, p.name, p.mode`);
  return {
    window,
    totalMs: rows[0]?.window_total ?? 0,
    stages: rows
      .filter((r): r is StageRow & { name: string } => r.name !== null)
      .map((r) => ({ name: r.name, mode: r.mode, count: r.count, failures: r.failures, p50Ms: r.p50, p95Ms: r.p95, totalMs: r.ms_sum, share: ratio(r.ms_sum, r.window_total) })),
  };
}
