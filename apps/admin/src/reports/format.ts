/** How the reports pages word a daily report: plain functions, tested without a browser. */
import type { ReportBody } from "../api/types";
import { formatCount, formatPercent } from "../shared/format";

/** A report's day as the URL carries it: a real calendar day, "YYYY-MM-DD". */
export function isReportDay(text: string | string[] | undefined): text is string {
  if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** How far back the API lets an admin generate a report on demand (REPORT_MAX_AGE_DAYS in the API). */
export const REPORT_MAX_AGE_DAYS = 31;

/** Whether reports.generate accepts `day` at `now`: today (UTC) or one of the last 31 days. */
export function canGenerateReportFor(day: string, now: number): boolean {
  const utcDay = (offsetDays: number) => new Date(now + offsetDays * 86_400_000).toISOString().slice(0, 10);
  return day <= utcDay(0) && day >= utcDay(-REPORT_MAX_AGE_DAYS);
}

const days = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

/** "Mon, 5 Jan 2026": a report covers a UTC day, so it is named in UTC wherever the admin is. */
export function formatDay(day: string): string {
  return days.format(new Date(`${day}T00:00:00.000Z`));
}

/** A report written before its day ended holds the numbers so far. */
export function reportStatus(complete: boolean): { label: string; tone: "good" | "accent" } {
  return complete ? { label: "Complete", tone: "good" } : { label: "So far", tone: "accent" };
}

type Percentiles = ReportBody["totalMs"];

/** The three latencies of a report, each with its percentiles, for one table. */
export function latencyRows(body: ReportBody): { label: string; hint: string; percentiles: Percentiles }[] {
  return [
    { label: "Total", hint: "until the answer is complete", percentiles: body.totalMs },
    { label: "First token", hint: "until the answer starts to appear", percentiles: body.firstTokenMs },
    { label: "Background lag", hint: "from the reply to its background work done", percentiles: body.backgroundLagMs },
  ];
}

/** "75 % of 4 lookups were hits", or that nothing was looked up. */
export function describeCache(cache: ReportBody["cache"]): string {
  const lookups = cache.hits + cache.misses;
  if (lookups === 0) return "No cache lookup that day";
  if (lookups === 1) return cache.hits ? "The one lookup was a hit" : "The one lookup was a miss";
  return `${formatPercent(cache.hitRate)} of ${formatCount(lookups)} lookups were hits`;
}

/** Why the total may be short, in the dashboard's words: replies whose model has no known rate are left out of it. */
export function describeUnpriced(cost: ReportBody["cost"]): string | null {
  const n = cost.unpricedMessages;
  if (n === 0) return null;
  return n === 1
    ? "1 reply was not priced: no rate is known for its model, so it is left out of the totals rather than counted as $0."
    : `${formatCount(n)} replies were not priced: no rate is known for their model, so they are left out of the totals rather than counted as $0.`;
}

/** The report lists the first alerts of the day; say so when it counted more. */
export function describeListedAlerts(alerts: ReportBody["alerts"]): string | null {
  if (alerts.listed.length >= alerts.opened) return null;
  return `The ${formatCount(alerts.listed.length)} most recent of ${formatCount(alerts.opened)} are listed.`;
}
