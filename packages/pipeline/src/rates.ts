import type { Database } from "@leadline/db/client";

import { countHit, GLOBAL_ORGANIZATION, type CacheHits, type PipelineCache } from "./cache";
import { findRate, type Rate } from "./cost";

/**
 * Model rates for pricing a reply on the critical path. With the cache flag
 * on they come from the multi-level cache (a day's TTL, plan 4.3); off, every
 * reply asks Postgres, as the plan's original did.
 */
export function createRateBook(db: Database, cache: PipelineCache) {
  return {
    async rateFor(model: string, cached: boolean, hits?: CacheHits): Promise<Rate | undefined> {
      if (!cached) return findRate(db, model);
      const { value, source } = await cache.getWithSource("modelRates", GLOBAL_ORGANIZATION, model, () => findRate(db, model));
      if (hits) countHit(hits, "modelRates", source);
      return value as Rate | undefined;
    },
    invalidate: (model: string) => cache.invalidate("modelRates", GLOBAL_ORGANIZATION, model),
  };
}

export type RateBook = ReturnType<typeof createRateBook>;
