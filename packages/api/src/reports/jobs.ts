import { z } from "zod";

import type { Database } from "@leadline/db/client";
import { organizations } from "@leadline/db/schema";
import { ensureQueue, type JobQueue } from "@leadline/pipeline/queue";

import { generateDailyReport, utcDay } from "./generate-report";

export const REPORT_JOB_NAMES = { daily: "reports-daily", generate: "reports-generate" } as const;

/** The scheduled job: generate every organization's report of `day` (by default the UTC day before the job was created). */
export const dailyReportsJob = z.object({ day: z.iso.date().optional() });
/** One organization's report of one day; the upsert makes a retry or a duplicate harmless. */
export const generateReportJob = z.object({ organizationId: z.uuid(), day: z.iso.date() });

type Log = { info(obj: object, msg?: string): void };

/**
 * The daily performance report in the worker role: a pg-boss schedule (UTC
 * cron, stored in the database, so one cluster-wide clock sends it once) that
 * fans out one job per organization, each retried on its own.
 */
export async function startReportJobs(deps: { queue: JobQueue; db: Database; log: Log }, options: { cron: string }) {
  const { boss } = deps.queue;
  await ensureQueue(boss, REPORT_JOB_NAMES.daily, { retryLimit: 3, retryDelay: 60, retryBackoff: true });
  await ensureQueue(boss, REPORT_JOB_NAMES.generate, { retryLimit: 5, retryDelay: 30, retryBackoff: true });
  await boss.schedule(REPORT_JOB_NAMES.daily, options.cron, {}, { tz: "UTC" });
  const work = { batchSize: 1, pollingIntervalSeconds: 5, includeMetadata: true } as const;
  // A worker waits out its polling interval after every job unless notified: while a day's
  // fan-out lasts, each finished report wakes the worker for the next one at once.
  const generator = await boss.work(REPORT_JOB_NAMES.generate, work, async ([job]) => {
    if (!job) return;
    const { organizationId, day } = generateReportJob.parse(job.data);
    await generateDailyReport(deps.db, organizationId, day);
    boss.notifyWorker(generator);
  });
  await boss.work(REPORT_JOB_NAMES.daily, work, async ([job]) => {
    if (!job) return;
    const day = dailyReportsJob.parse(job.data).day ?? utcDay(job.createdOn, -1);
    const orgs = await deps.db.select({ id: organizations.id }).from(organizations);
    if (orgs.length) await boss.insert(orgs.map((o) => ({ name: REPORT_JOB_NAMES.generate, data: { organizationId: o.id, day } })));
    boss.notifyWorker(generator);
    deps.log.info({ day, organizations: orgs.length }, "daily reports requested");
  });
  return {
    /** Stops this process's report workers; the schedule stays, for the next worker. */
    async stop() {
      await boss.offWork(REPORT_JOB_NAMES.daily).catch(() => {});
      await boss.offWork(REPORT_JOB_NAMES.generate).catch(() => {});
    },
  };
}
