import type { Database } from "@leadline/db/client";

import { findRate, type Rate } from "./cost";

const TTL_MS = 24 * 3600 * 1000; // plan 4.3: model rates change rarely

/**
 * Model rates for pricing a reply on the critical path. With the cache flag
 * on they come from memory (loaded once per model and TTL); off, every reply
 * asks Postgres, as the plan's original did.
 */
export function createRateBook(db: Database) {
  const memo = new Map<string, { rate: Rate | undefined; at: number }>();
  return {
    async rateFor(model: string, cached: boolean): Promise<Rate | undefined> {
      if (!cached) return findRate(db, model);
      const hit = memo.get(model);
      if (hit && Date.now() - hit.at < TTL_MS) return hit.rate;
      const rate = await findRate(db, model);
      memo.set(model, { rate, at: Date.now() });
      return rate;
    },
    invalidate: () => memo.clear(),
  };
}

export type RateBook = ReturnType<typeof createRateBook>;
