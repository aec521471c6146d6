import { sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { requestTimings } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { assertPointsFit, BUCKET_INTERVAL, failedShare, percentile, windowStart, within, type MetricBucket, type MetricWindow } from "./windows";

type PointRow = {
  at_ms: number;
  count: number;
  p50_total: number | null;
  p95_total: number | null;
  p50_ttft: number | null;
  p95_ttft: number | null;
  error_rate: number | null;
};

/**
 * The window in buckets aligned to UTC (date_bin from the epoch), oldest
 * first, every bucket present: an empty one has count 0 and null percentiles,
 * so a chart shows the gap instead of joining across it.
 */
export async function buildTimeseries(db: Database, organizationId: string, window: MetricWindow, bucket: MetricBucket) {
  assertPointsFit(window, bucket);
  const step = BUCKET_INTERVAL[bucket];
  const binned = sql`date_bin(${step}::interval, ${requestTimings.createdAt}, timestamptz 'epoch')`;
  const rows = await db.execute<PointRow>(sql`
    with buckets as (
      select generate_series(
        date_bin(${step}::interval, ${windowStart(window)}, timestamptz 'epoch'),
        now(),
        ${step}::interval
      ) as bucket_at
    ),
    filled as (
      select ${binned} as bucket_at,
             count(*)::int as count,
             ${percentile(0.5, requestTimings.totalMs)} as p50_total,
             ${percentile(0.95, requestTimings.totalMs)} as p95_total,
             ${percentile(0.5, requestTimings.timeToFirstTokenMs)} as p50_ttft,
             ${percentile(0.95, requestTimings.timeToFirstTokenMs)} as p95_ttft,
             ${failedShare(requestTimings.outcome)} as error_rate
      from ${requestTimings}
      where ${scopedTo(organizationId, requestTimings, within(requestTimings.createdAt, window))}
      group by 1
    )
    select (extract(epoch from b.bucket_at) * 1000)::float8 as at_ms,
           coalesce(f.count, 0) as count, f.p50_total, f.p95_total, f.p50_ttft, f.p95_ttft, f.error_rate
    from buckets b left join filled f using (bucket_at)
    order by b.bucket_at`);
  return {
    window,
    bucket,
    points: rows.map((r) => ({
      at: new Date(r.at_ms).toISOString(),
      count: r.count,
      totalMs: { p50: r.p50_total, p95: r.p95_total },
      firstTokenMs: { p50: r.p50_ttft, p95: r.p95_ttft },
      errorRate: r.error_rate,
    })),
  };
}
