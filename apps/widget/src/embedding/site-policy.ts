/**
 * Which customer pages may show a site's chat, asked of the API
 * (`chat.embedPolicy`) by this server: the browser never sees the list, only
 * the embed page's frame-ancestors built from it.
 */
import "server-only";

import type { AppRouter } from "@leadline/api";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";

import { env } from "../env";

export type SitePolicy = { kind: "known"; allowedOrigins: string[] } | { kind: "unknown" } | { kind: "unavailable" };

/**
 * Every page view of every customer page asks (the loader's check) and every
 * chat opened asks again (the embed page), so answers are kept a few seconds:
 * a burst of visitors costs the API one call per site, and an origin added or
 * removed in the admin app applies within that time.
 */
const CACHE_MS = 5_000;
/** Made-up site keys must not grow the cache without end. */
const MAX_CACHED_SITES = 1_000;
/** The page waits for this answer: without one in time it fails closed. */
const TIMEOUT_MS = 3_000;

const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: env.API_INTERNAL_URL ?? env.API_URL })] });
const cache = new Map<string, { policy: SitePolicy; expiresAt: number }>();
const inFlight = new Map<string, Promise<SitePolicy>>();

/** A site's policy, from the cache when fresh; "unavailable" (never cached) when the API cannot answer. */
export function loadSitePolicy(siteKey: string): Promise<SitePolicy> {
  const cached = cache.get(siteKey);
  if (cached && cached.expiresAt > Date.now()) return Promise.resolve(cached.policy);
  const pending = inFlight.get(siteKey);
  if (pending) return pending;
  const asked = askApi(siteKey).finally(() => inFlight.delete(siteKey));
  inFlight.set(siteKey, asked);
  return asked;
}

async function askApi(siteKey: string): Promise<SitePolicy> {
  try {
    const { allowedOrigins } = await client.chat.embedPolicy.query({ siteKey }, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return remember(siteKey, { kind: "known", allowedOrigins });
  } catch (error) {
    if (error instanceof TRPCClientError && error.data?.code === "NOT_FOUND") return remember(siteKey, { kind: "unknown" });
    console.error(`Leadline widget: cannot ask the API which pages may show site ${siteKey}; refusing to be framed:`, error);
    return { kind: "unavailable" };
  }
}

function remember(siteKey: string, policy: SitePolicy): SitePolicy {
  cache.delete(siteKey);
  if (cache.size >= MAX_CACHED_SITES) cache.delete(cache.keys().next().value!);
  cache.set(siteKey, { policy, expiresAt: Date.now() + CACHE_MS });
  return policy;
}

/**
 * The origins a policy lets frame the chat, each exactly scheme://host[:port]:
 * anything else in the stored list (a space, a `;`) would change the header's
 * meaning, so it is left out rather than trusted.
 */
export function framingOriginsOf(policy: SitePolicy): string[] {
  if (policy.kind !== "known") return [];
  return policy.allowedOrigins.filter(isPlainOrigin);
}

function isPlainOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}
