import { desc, eq } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { dailyReports } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { badRequest, notFound } from "../errors";
import { generateDailyReport, utcDay, type DailyReportBody } from "./generate-report";

/** How far back an admin may (re)generate a report on demand. */
export const REPORT_MAX_AGE_DAYS = 31;

type ReportRow = typeof dailyReports.$inferSelect;

/** Reports being generated on demand, by organization and day. */
const inFlight = new Map<string, Promise<ReportRow>>();

const present = (row: ReportRow) => ({ id: row.id, day: row.day, generatedAt: row.generatedAt.toISOString(), body: row.body as DailyReportBody });

/** The organization's reports, newest day first, with the headline numbers of each. */
export async function listReports(db: Database, organizationId: string, input: { limit: number }) {
  const rows = await db.select().from(dailyReports).where(scopedTo(organizationId, dailyReports)).orderBy(desc(dailyReports.day)).limit(input.limit);
  return {
    items: rows.map((row) => {
      const body = row.body as DailyReportBody;
      return {
        id: row.id,
        day: row.day,
        generatedAt: row.generatedAt.toISOString(),
        complete: body.complete,
        messages: body.messages,
        p95TotalMs: body.totalMs.p95,
        errorRate: body.errorRate,
        costUsd: body.cost.totalUsd,
        alertsOpened: body.alerts.opened,
      };
    }),
  };
}

/** One report of the organization, by id or by day; another organization's is NOT_FOUND. */
export async function getReport(db: Database, organizationId: string, input: { id: string } | { day: string }) {
  const [row] = await db
    .select()
    .from(dailyReports)
    .where(scopedTo(organizationId, dailyReports, "id" in input ? eq(dailyReports.id, input.id) : eq(dailyReports.day, input.day)));
  if (!row) throw notFound("Report");
  return present(row);
}

/** Generates (or refreshes) the report of today so far or of a recent past day, on an admin's request. */
export async function generateReportNow(db: Database, organizationId: string, input: { day?: string }, now: Date = new Date()) {
  const today = utcDay(now);
  const day = input.day ?? today;
  if (day > today) throw badRequest(`${day} has not happened yet (today is ${today} UTC)`);
  if (day < utcDay(now, -REPORT_MAX_AGE_DAYS)) throw badRequest(`Reports can be generated for the last ${REPORT_MAX_AGE_DAYS} days only`);
  // Requests for a report being generated share that generation: however often an admin (or a
  // script) asks at once, one organization's day is read once at a time by this process.
  const key = `${organizationId}/${day}`;
  let generation = inFlight.get(key);
  if (!generation) {
    generation = generateDailyReport(db, organizationId, day, now).finally(() => inFlight.delete(key));
    inFlight.set(key, generation);
  }
  return present(await generation);
}
