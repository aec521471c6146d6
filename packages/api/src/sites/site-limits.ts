import { eq } from "drizzle-orm";

import { sites } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import type { Context } from "../context";
import { notFound } from "../errors";
import { readSpend } from "../limits/budget";
import { siteLimitsOf } from "../limits/site-limits";

type Admin = { organizationId: string };

/** What the Sites page shows of a site's limits: its own settings, the deployment's defaults, what applies, and the spend so far. */
export async function describeSiteLimits(ctx: Context, admin: Admin, siteId: string) {
  const [site] = await ctx.db.select().from(sites).where(scopedTo(admin.organizationId, sites, eq(sites.id, siteId)));
  if (!site) throw notFound("Site");
  const effective = siteLimitsOf(ctx, site);
  return {
    own: { rateLimits: site.rateLimits, dailyBudgetUsd: site.dailyBudgetUsd, monthlyBudgetUsd: site.monthlyBudgetUsd },
    defaults: ctx.config.limits,
    effective: { rateLimits: effective.rates, dailyBudgetUsd: effective.dailyBudgetUsd, monthlyBudgetUsd: effective.monthlyBudgetUsd },
    spend: await readSpend(ctx.db, admin.organizationId, siteId),
  };
}
