import { createCache, GLOBAL_ORGANIZATION, PLAN_TTLS, type Cache, type CacheSource } from "@leadline/cache";

/** A session idle this long reads its state from the database again (one round trip). */
const SESSION_STATE_TTL_MS = 30 * 60_000;
const L1_MAX_BYTES = 128 * 1024 * 1024;

/** The namespaces the pipeline caches, with the plan's TTLs (4.3). */
export function createPipelineCache(options: { redisUrl?: string; log: { warn(o: object, m?: string): void; info(o: object, m?: string): void } }) {
  return createCache({
    redisUrl: options.redisUrl,
    keyPrefix: "leadline:cache",
    // Sessions' histories are the bulk: bounded so a crowd of long conversations evicts the oldest, not the process.
    l1MaxBytes: L1_MAX_BYTES,
    log: options.log,
    namespaces: {
      siteConfig: { ttlMs: PLAN_TTLS.siteConfig },
      // A site's limits and budgets, read before every chat call (the api's limits/site-limits.ts).
      siteLimits: { ttlMs: PLAN_TTLS.siteConfig },
      visitors: { ttlMs: PLAN_TTLS.visitors },
      // A session's visitor, recent history and recent clientMessageIds (session-state.ts), written through.
      sessions: { ttlMs: SESSION_STATE_TTL_MS },
      modelRates: { ttlMs: PLAN_TTLS.modelRates, global: true },
    },
  });
}

export type PipelineCache = Cache<"siteConfig" | "siteLimits" | "visitors" | "sessions" | "modelRates">;
export { GLOBAL_ORGANIZATION };

/** Per-message cache hits by namespace, as recorded with the message's timings. */
export type CacheHits = Record<string, { hits: number; misses: number }>;

export function countHit(hits: CacheHits, namespace: string, source: CacheSource) {
  const entry = (hits[namespace] ??= { hits: 0, misses: 0 });
  if (source === "l3") entry.misses += 1;
  else entry.hits += 1;
}
