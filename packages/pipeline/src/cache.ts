import { createCache, GLOBAL_ORGANIZATION, PLAN_TTLS, type Cache, type CacheSource } from "@leadline/cache";

/** The namespaces the pipeline caches, with the plan's TTLs (4.3). */
export function createPipelineCache(options: { redisUrl?: string; log: { warn(o: object, m?: string): void; info(o: object, m?: string): void } }) {
  return createCache({
    redisUrl: options.redisUrl,
    keyPrefix: "leadline:cache",
    log: options.log,
    namespaces: {
      siteConfig: { ttlMs: PLAN_TTLS.siteConfig },
      // A site's limits and budgets, read before every chat call (the api's limits/site-limits.ts).
      siteLimits: { ttlMs: PLAN_TTLS.siteConfig },
      visitors: { ttlMs: PLAN_TTLS.visitors },
      modelRates: { ttlMs: PLAN_TTLS.modelRates, global: true },
    },
  });
}

export type PipelineCache = Cache<"siteConfig" | "siteLimits" | "visitors" | "modelRates">;
export { GLOBAL_ORGANIZATION };

/** Per-message cache hits by namespace, as recorded with the message's timings. */
export type CacheHits = Record<string, { hits: number; misses: number }>;

export function countHit(hits: CacheHits, namespace: string, source: CacheSource) {
  const entry = (hits[namespace] ??= { hits: 0, misses: 0 });
  if (source === "l3") entry.misses += 1;
  else entry.hits += 1;
}
