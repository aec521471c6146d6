import { desc, gte, sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { alerts, dailyReports, leads } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { summarizeCaches } from "../metrics/cohorts";
import { summarizeCosts } from "../metrics/costs";
import { summarizeLatency, summarizeStages } from "../metrics/latency";
import { summarizeSatisfaction } from "../metrics/satisfaction";
import { ratio, within, type MetricRange } from "../metrics/windows";

const DAY_MS = 24 * 3_600_000;
/** Stages listed in a report: those that took the most of visitors' time. */
const TOP_STAGES = 8;
/** Alerts listed in a report (all are counted). */
const LISTED_ALERTS = 20;

/** The UTC day [00:00, 24:00) of a "YYYY-MM-DD" string. */
export function dayRange(day: string): MetricRange {
  const from = new Date(`${day}T00:00:00.000Z`);
  return { from, to: new Date(from.getTime() + DAY_MS) };
}

/** "YYYY-MM-DD" of the UTC day `at` falls in, `offsetDays` later (negative: earlier). */
export function utcDay(at: Date, offsetDays = 0): string {
  return new Date(at.getTime() + offsetDays * DAY_MS).toISOString().slice(0, 10);
}

type Percentiles = { p50: number | null; p95: number | null; p99: number | null };

/** What a daily report holds: the day's numbers as the admin app shows them. Every rate is a share 0–1, null when there was nothing to divide. */
export type DailyReportBody = {
  version: 1;
  day: string;
  /** False when generated before the day ended (a report for today): the numbers are so far. */
  complete: boolean;
  messages: number;
  errorRate: number | null;
  totalMs: Percentiles;
  firstTokenMs: Percentiles;
  backgroundLagMs: Percentiles & { count: number };
  /** The stages that took the most of visitors' time, by name and mode. */
  topStages: { name: string; mode: string; count: number; failures: number; p95Ms: number | null; share: number | null }[];
  cache: { hits: number; misses: number; hitRate: number | null };
  cost: { totalUsd: number; pricedMessages: number; unpricedMessages: number; usdPerQualifiedLead: number | null };
  /** new: leads first recorded that day; captured: those of them with an email or phone; qualified: leads qualified or hot, changed that day. */
  leads: { new: number; captured: number; qualified: number };
  satisfaction: { up: number; down: number; upRate: number | null };
  alerts: { opened: number; listed: { rule: string; severity: string; message: string; startedAt: string; endedAt: string | null }[] };
};

/**
 * Computes one organization's report for a UTC day from the same queries as
 * the dashboard, and stores it (replacing an earlier one for that day).
 */
export async function generateDailyReport(db: Database, organizationId: string, day: string, now: Date = new Date()) {
  const range = dayRange(day);
  const [latency, stages, caches, costs, satisfaction, leadCounts, opened] = await Promise.all([
    summarizeLatency(db, organizationId, range),
    summarizeStages(db, organizationId, range),
    summarizeCaches(db, organizationId, range),
    summarizeCosts(db, organizationId, range),
    summarizeSatisfaction(db, organizationId, range),
    countNewLeads(db, organizationId, range),
    db
      .select()
      .from(alerts)
      .where(scopedTo(organizationId, alerts, within(alerts.startedAt, range)))
      .orderBy(desc(alerts.startedAt)),
  ]);
  const hits = caches.namespaces.reduce((n, c) => n + c.hits, 0);
  const misses = caches.namespaces.reduce((n, c) => n + c.misses, 0);
  const body: DailyReportBody = {
    version: 1,
    day,
    complete: now.getTime() >= range.to.getTime(),
    messages: latency.count,
    errorRate: latency.errorRate,
    totalMs: latency.totalMs,
    firstTokenMs: latency.firstTokenMs,
    backgroundLagMs: latency.backgroundLag,
    topStages: stages.stages.slice(0, TOP_STAGES).map((s) => ({ name: s.name, mode: s.mode, count: s.count, failures: s.failures, p95Ms: s.p95Ms, share: s.share })),
    cache: { hits, misses, hitRate: ratio(hits, hits + misses) },
    cost: { totalUsd: costs.totalUsd, pricedMessages: costs.pricedMessages, unpricedMessages: costs.unpricedMessages, usdPerQualifiedLead: costs.usdPerQualifiedLead },
    leads: { ...leadCounts, qualified: costs.qualifiedLeads },
    satisfaction: { up: satisfaction.up, down: satisfaction.down, upRate: satisfaction.upRate },
    alerts: {
      opened: opened.length,
      listed: opened.slice(0, LISTED_ALERTS).map((a) => ({ rule: a.rule, severity: a.severity, message: a.message, startedAt: a.startedAt.toISOString(), endedAt: a.endedAt?.toISOString() ?? null })),
    },
  };
  const [row] = await db
    .insert(dailyReports)
    .values({ organizationId, day, body, generatedAt: now })
    .onConflictDoUpdate({ target: [dailyReports.organizationId, dailyReports.day], set: { body, generatedAt: now } })
    .returning();
  if (!row) throw new Error("storing a daily report returned no row");
  return row;
}

/** Leads first recorded in the range, and how many of them left an email or phone. */
async function countNewLeads(db: Database, organizationId: string, range: MetricRange) {
  const [row] = await db
    .select({
      new: sql<number>`count(*)::int`,
      captured: sql<number>`(count(*) filter (where ${leads.contactInfo} ->> 'email' is not null or ${leads.contactInfo} ->> 'phone' is not null))::int`,
    })
    .from(leads)
    // updated_at >= created_at: the bound on updated_at lets the (organization_id, updated_at) index narrow the scan.
    .where(scopedTo(organizationId, leads, within(leads.createdAt, range), gte(leads.updatedAt, range.from)));
  return { new: row?.new ?? 0, captured: row?.captured ?? 0 };
}
