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
    systemPromptTokens: promptTokens(row.systemPrompt),
  };
}

/**
 * A site's prompt is counted once per process, not per new session:
 * startSession reads the site row each time, and counting its prompt there
 * was 0.7 % of the API's main thread in a fast-profile run (the tokenizer's
 * split pattern is recompiled after every full GC). Keyed by the text, so an
 * edited prompt is counted anew; bounded, as sites come and go.
 */
const promptTokenCounts = new Map<string, number>();
const MAX_COUNTED_PROMPTS = 1_000;

function promptTokens(prompt: string): number {
  let tokens = promptTokenCounts.get(prompt);
  if (tokens === undefined) {
    tokens = countTokens(prompt);
    if (promptTokenCounts.size >= MAX_COUNTED_PROMPTS) promptTokenCounts.clear();
    promptTokenCounts.set(prompt, tokens);
  }
  return tokens;
}
