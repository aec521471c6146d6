import { eq } from "drizzle-orm";

import { sites, type SiteRateLimits } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import { countTokens } from "@leadline/llm/client";

import type { Context } from "../context";
import { resolveSiteLimits, type SiteLimits } from "./settings";

/** What is cached of a site for admission: plain JSON, so Redis can share it between instances. */
type CachedSite = {
  id: string;
  organizationId: string;
  rateLimits: SiteRateLimits;
  dailyBudgetUsd: string | null;
  monthlyBudgetUsd: string | null;
  systemPromptTokens: number;
};

/**
 * A site's effective limits, from the cache: admission runs before every chat
 * call, so it must not cost a database round trip on a warm site. A site
 * change invalidates the entry everywhere (sites/manage-sites.ts).
 */
export async function loadSiteLimits(ctx: Pick<Context, "db" | "pipeline" | "config">, organizationId: string, siteId: string): Promise<SiteLimits | null> {
  const site = await ctx.pipeline.cache.get<CachedSite>("siteLimits", organizationId, siteId, async () => {
    const [row] = await ctx.db.select().from(sites).where(scopedTo(organizationId, sites, eq(sites.id, siteId)));
    return row ? toCachedSite(row) : null;
  });
  return site ? resolveSiteLimits(site, site.systemPromptTokens, ctx.config.limits) : null;
}

/** The same from a site row already read (startSession reads it by its public key). */
export function siteLimitsOf(ctx: Pick<Context, "config">, row: typeof sites.$inferSelect): SiteLimits {
  const site = toCachedSite(row);
  return resolveSiteLimits(site, site.systemPromptTokens, ctx.config.limits);
}

function toCachedSite(row: typeof sites.$inferSelect): CachedSite {
  return {
    id: row.id,
    organizationId: row.organizationId,
    rateLimits: row.rateLimits,
    dailyBudgetUsd: row.dailyBudgetUsd,
    monthlyBudgetUsd: row.monthlyBudgetUsd,
    systemPromptTokens: countTokens(row.systemPrompt),
  };
}
