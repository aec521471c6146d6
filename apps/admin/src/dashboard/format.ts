/** How the dashboard chooses, shapes and words its numbers: plain functions, tested without a browser. */
import type { CacheSummary, FlagCohorts, MetricBucket, MetricWindow, StageRow, TimeseriesPoint } from "../api/types";
import { formatCount, formatMs, formatPercent } from "../shared/format";

/** The windows the API offers, each with the bucket that gives its trend a readable number of points. */
export const DASHBOARD_WINDOWS: readonly { value: MetricWindow; label: string; short: string; bucket: MetricBucket }[] = [
  { value: "5m", label: "5 minutes", short: "5 min", bucket: "1m" },
  { value: "1h", label: "1 hour", short: "1 hour", bucket: "1m" },
  { value: "24h", label: "24 hours", short: "24 hours", bucket: "1h" },
  { value: "7d", label: "7 days", short: "7 days", bucket: "1h" },
];

export const DEFAULT_WINDOW: MetricWindow = "1h";

/** A window named in the URL (`?window=24h`), or the default for anything else. */
export function parseWindow(value: string | string[] | undefined): MetricWindow {
  const text = Array.isArray(value) ? value[0] : value;
  return DASHBOARD_WINDOWS.find((w) => w.value === text)?.value ?? DEFAULT_WINDOW;
}

export function windowInfo(window: MetricWindow) {
  return DASHBOARD_WINDOWS.find((w) => w.value === window) ?? DASHBOARD_WINDOWS[1]!;
}

const BUCKET_NAMES: Record<MetricBucket, string> = { "1m": "minute", "1h": "hour" };

/** One point of the response-time chart: null where the bucket had no message, so the line breaks there. */
export type TrendPoint = {
  at: number;
  count: number;
  p50Total: number | null;
  p95Total: number | null;
  p50FirstToken: number | null;
  p95FirstToken: number | null;
  errorRate: number | null;
};

export function toTrendPoints(points: readonly TimeseriesPoint[]): TrendPoint[] {
  return points.map((p) => ({
    at: Date.parse(p.at),
    count: p.count,
    p50Total: p.totalMs.p50,
    p95Total: p.totalMs.p95,
    p50FirstToken: p.firstTokenMs.p50,
    p95FirstToken: p.firstTokenMs.p95,
    errorRate: p.errorRate,
  }));
}

/** The chart's name for a screen reader: what it plots, and the gist of it. */
export function describeTrend(points: readonly TrendPoint[], window: MetricWindow, bucket: MetricBucket): string {
  const unit = BUCKET_NAMES[bucket];
  const busy = points.filter((p) => p.count > 0);
  const head = `Line chart of response time per ${unit} over the last ${windowInfo(window).label}: p50 and p95 of total time and of time to first token.`;
  if (busy.length === 0) return `${head} No messages yet.`;
  const messages = busy.reduce((sum, p) => sum + p.count, 0);
  const worst = Math.max(...busy.map((p) => p.p95Total ?? 0));
  const last = busy.at(-1)!;
  return `${head} ${formatCount(messages)} message${messages === 1 ? "" : "s"} in ${busy.length} of ${points.length} ${unit}s; highest p95 total ${formatMs(worst)}; latest p95 total ${formatMs(last.p95Total)}, p95 first token ${formatMs(last.p95FirstToken)}.`;
}

/** An axis tick: the time of day, with the weekday over a week. The time zone is a parameter so tests can fix it. */
export function formatTick(at: number, window: MetricWindow, timeZone?: string): string {
  const options: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone };
  if (window === "7d") options.weekday = "short";
  return new Intl.DateTimeFormat("en-GB", options).format(at);
}

/** The row header of a bucket in the data table: day and time. */
export function formatBucket(at: number, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(at);
}

/** What a stage's mode means for the visitor, for the table's footnote and the chart. */
export function describeMode(mode: string): string {
  if (mode === "inline") return "inline: the reply waits for it";
  if (mode === "parallel") return "parallel: the reply waits for the slowest";
  if (mode === "background") return "background: after the reply, timed as the worker ran it, costs the visitor nothing";
  return mode;
}

export type StageBar = { label: string; p50: number; p95: number };

/**
 * The stages that the visitor waits for, slowest first (the API's order).
 * Background stages keep nobody waiting, so they have no bar; the table
 * lists them with the worker's own durations.
 */
export function toStageBars(stages: readonly StageRow[]): StageBar[] {
  return stages.filter((s) => s.mode !== "background").map((s) => ({ label: `${s.name} (${s.mode})`, p50: s.p50Ms ?? 0, p95: s.p95Ms ?? 0 }));
}

export function describeStages(bars: readonly StageBar[], window: MetricWindow): string {
  const head = `Bar chart of the p50 and p95 duration of each stage the reply waits for, over the last ${windowInfo(window).label}.`;
  if (bars.length === 0) return `${head} No stage ran on the reply.`;
  const slowest = [...bars].sort((a, b) => b.p95 - a.p95)[0]!;
  return `${head} ${bars.length} stage${bars.length === 1 ? "" : "s"}; the slowest at p95 is ${slowest.label}, ${formatMs(slowest.p95)}.`;
}

/** All cache lookups of the window together: the hit rate across namespaces. */
export function overallHitRate(caches: CacheSummary["namespaces"]): number | null {
  const hits = caches.reduce((sum, c) => sum + c.hits, 0);
  const total = caches.reduce((sum, c) => sum + c.hits + c.misses, 0);
  return total > 0 ? hits / total : null;
}

/** "4 of 5 thumbs up", or that nobody rated anything yet. */
export function describeSatisfaction(up: number, down: number): string {
  if (up + down === 0) return "No ratings yet";
  return `${formatPercent(up / (up + down))} thumbs up (${formatCount(up)} of ${formatCount(up + down)})`;
}

export type Verdict = { text: string; verdict: "better" | "worse" | "same" };

/** A flag's enabled cohort against its control, on one latency: as a share of control's; null while either is empty. */
export function compareCohorts(cohort: FlagCohorts, metric: "totalMs" | "firstTokenMs"): Verdict | null {
  const on = cohort.enabled[metric].p95;
  const off = cohort.control[metric].p95;
  if (cohort.enabled.count === 0 || cohort.control.count === 0 || on === null || off === null || off <= 0) return null;
  const change = Math.round(((on - off) / off) * 100);
  if (change === 0) return { text: "about the same", verdict: "same" };
  return change < 0 ? { text: `${-change} % faster`, verdict: "better" } : { text: `${change} % slower`, verdict: "worse" };
}
