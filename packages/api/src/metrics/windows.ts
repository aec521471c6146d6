import { and, gt, gte, lt, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";

import { badRequest } from "../errors";

/** The only windows a dashboard may ask for: each is an index range on (organization_id, created_at). */
export const metricWindow = z.enum(["5m", "1h", "24h", "7d"]);
export type MetricWindow = z.infer<typeof metricWindow>;

export const metricBucket = z.enum(["1m", "1h"]);
export type MetricBucket = z.infer<typeof metricBucket>;

const WINDOW_MS: Record<MetricWindow, number> = { "5m": 5 * 60_000, "1h": 3_600_000, "24h": 24 * 3_600_000, "7d": 7 * 24 * 3_600_000 };
const BUCKET_MS: Record<MetricBucket, number> = { "1m": 60_000, "1h": 3_600_000 };

/** Postgres interval literals, passed as parameters (never spliced into the SQL text). */
const WINDOW_INTERVAL: Record<MetricWindow, string> = { "5m": "5 minutes", "1h": "1 hour", "24h": "24 hours", "7d": "7 days" };
export const BUCKET_INTERVAL: Record<MetricBucket, string> = { "1m": "1 minute", "1h": "1 hour" };

/** More points than a chart can show is a mistake in the request, and an expensive one. */
export const MAX_POINTS = 1_500;

/** The most buckets a timeseries can have: the partial first bucket included. */
export function pointsIn(window: MetricWindow, bucket: MetricBucket): number {
  return Math.ceil(WINDOW_MS[window] / BUCKET_MS[bucket]) + 1;
}

export function assertPointsFit(window: MetricWindow, bucket: MetricBucket): void {
  const points = pointsIn(window, bucket);
  if (points > MAX_POINTS) throw badRequest(`A ${window} window in ${bucket} buckets is ${points} points; at most ${MAX_POINTS}. Use a larger bucket.`);
}

/** `now() - window`: where a window starts. */
export const windowStart = (window: MetricWindow): SQL => sql`(now() - ${WINDOW_INTERVAL[window]}::interval)`;

/** An explicit stretch of time, from inclusive to exclusive: a UTC day for a report, the minutes before `now` for an alert rule. */
export type MetricRange = { from: Date; to: Date };

/** What a metrics query covers: a dashboard window ending now, or an explicit range. */
export type MetricSpan = MetricWindow | MetricRange;

/** `column > now() - window`, or `from <= column < to`: every metrics query is bounded by one of these. */
export function within(column: PgColumn, span: MetricSpan): SQL {
  if (typeof span === "string") return gt(column, windowStart(span));
  return and(gte(column, span.from), lt(column, span.to)) as SQL;
}

/** `percentile_cont(p) within group (order by expr)`; p is one of our constants, written as a literal. */
export function percentile(p: 0.5 | 0.95 | 0.99, expr: SQL | PgColumn): SQL<number | null> {
  return sql<number | null>`percentile_cont(${sql.raw(String(p))}) within group (order by ${expr})`;
}

/** The share of failed outcomes, as a float (null without rows). */
export const failedShare = (outcome: PgColumn): SQL<number | null> => sql<number | null>`avg(case when ${outcome} = 'failed' then 1.0 else 0.0 end)::float8`;

/** a / b, or null when b is zero: a rate of nothing is unknown, not 0. */
export const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
