import type { SiteRateLimits } from "@leadline/db/schema";

export type RateLimitSettings = Required<SiteRateLimits>;

/** The deployment's defaults, from the server's environment; a site's own settings override each one. */
export type LimitDefaults = RateLimitSettings & { dailyBudgetUsd: number; monthlyBudgetUsd: number };

/**
 * Sane for a real site: a person types a message every few seconds at most,
 * an office behind one address may hold a few conversations at once, and a
 * small business's model bill stays in tens of dollars a month.
 */
export const DEFAULT_LIMITS: LimitDefaults = {
  sessionMessagesPerMinute: 10,
  addressMessagesPerMinute: 30,
  siteMessagesPerMinute: 600,
  addressSessionsPerMinute: 10,
  siteSessionsPerMinute: 300,
  messagesPerSession: 100,
  dailyBudgetUsd: 5,
  monthlyBudgetUsd: 50,
};

/** What admission needs to know of a site: its effective limits and what its prompt costs. */
export type SiteLimits = {
  siteId: string;
  organizationId: string;
  rates: RateLimitSettings;
  dailyBudgetUsd: number;
  monthlyBudgetUsd: number;
  systemPromptTokens: number;
};

type SiteRow = {
  id: string;
  organizationId: string;
  rateLimits: SiteRateLimits;
  dailyBudgetUsd: string | null;
  monthlyBudgetUsd: string | null;
};

/** The site's own settings where it has them, the deployment's defaults elsewhere. */
export function resolveSiteLimits(site: SiteRow, systemPromptTokens: number, defaults: LimitDefaults): SiteLimits {
  const { dailyBudgetUsd, monthlyBudgetUsd, ...rateDefaults } = defaults;
  return {
    siteId: site.id,
    organizationId: site.organizationId,
    rates: { ...rateDefaults, ...definedOnly(site.rateLimits) },
    dailyBudgetUsd: site.dailyBudgetUsd === null ? dailyBudgetUsd : Number(site.dailyBudgetUsd),
    monthlyBudgetUsd: site.monthlyBudgetUsd === null ? monthlyBudgetUsd : Number(site.monthlyBudgetUsd),
    systemPromptTokens,
  };
}

function definedOnly(limits: SiteRateLimits): SiteRateLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => typeof v === "number" && Number.isFinite(v)));
}
