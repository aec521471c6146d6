import { z } from "zod";

import { compareFlagCohorts, summarizeCaches } from "../metrics/cohorts";
import { summarizeCosts } from "../metrics/costs";
import { summarizeLatency, summarizeStages } from "../metrics/latency";
import { summarizeRefusals } from "../metrics/refusals";
import { summarizeSatisfaction } from "../metrics/satisfaction";
import { buildTimeseries } from "../metrics/timeseries";
import { metricBucket, metricWindow } from "../metrics/windows";
import { adminProcedure, router } from "../trpc";

const windowed = adminProcedure.input(z.object({ window: metricWindow }));

export const metricsRouter = router({
  summary: windowed.query(({ ctx, input }) => summarizeLatency(ctx.db, ctx.admin.organizationId, input.window)),
  stages: windowed.query(({ ctx, input }) => summarizeStages(ctx.db, ctx.admin.organizationId, input.window)),
  timeseries: adminProcedure
    .input(z.object({ window: metricWindow, bucket: metricBucket }))
    .query(({ ctx, input }) => buildTimeseries(ctx.db, ctx.admin.organizationId, input.window, input.bucket)),
  cohorts: windowed.query(({ ctx, input }) => compareFlagCohorts(ctx.db, ctx.admin.organizationId, input.window)),
  caches: windowed.query(({ ctx, input }) => summarizeCaches(ctx.db, ctx.admin.organizationId, input.window)),
  costs: windowed.query(({ ctx, input }) => summarizeCosts(ctx.db, ctx.admin.organizationId, input.window)),
  satisfaction: windowed.query(({ ctx, input }) => summarizeSatisfaction(ctx.db, ctx.admin.organizationId, input.window)),
  refusals: windowed.query(({ ctx, input }) => summarizeRefusals(ctx.db, ctx.admin.organizationId, input.window)),
});
