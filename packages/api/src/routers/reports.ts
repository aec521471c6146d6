import { z } from "zod";

import { generateReportNow, getReport, listReports } from "../reports/list-reports";
import { adminProcedure, adminWriteProcedure, router } from "../trpc";

/**
 * A day that exists (zod checks months and leap days) in years a report can
 * be of. Year 0000 passes the format but Postgres has no such date: it was a
 * 500; a day outside the range can hold no report anyway.
 */
const day = z.iso.date("A day is YYYY-MM-DD").refine((d) => d >= "2000-01-01" && d <= "2099-12-31", "A day is between 2000-01-01 and 2099-12-31");

/** Daily performance reports: written by the worker's scheduled job, or on an admin's request. */
export const reportsRouter = router({
  list: adminProcedure.input(z.object({ limit: z.number().int().min(1).max(100).default(30) })).query(({ ctx, input }) => listReports(ctx.db, ctx.admin.organizationId, input)),
  get: adminProcedure.input(z.union([z.object({ id: z.uuid() }), z.object({ day })])).query(({ ctx, input }) => getReport(ctx.db, ctx.admin.organizationId, input)),
  generate: adminWriteProcedure.input(z.object({ day: day.optional() })).mutation(({ ctx, input }) => generateReportNow(ctx.db, ctx.admin.organizationId, input)),
});
