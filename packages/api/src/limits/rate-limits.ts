import type { Database } from "@leadline/db/client";
import { rateLimits } from "@leadline/db/schema";
import type { Redis } from "ioredis";
import { RateLimiterDrizzle, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

/** Where counters live: Redis when the deployment has it, Postgres otherwise; either way every instance sees them. */
export type RateLimitStore = { kind: "redis"; client: Redis } | { kind: "postgres"; db: Database };

/** One limit: at most `points` per `durationSeconds`, counted per key (a session, an address, a site). */
export type RateRule = { name: string; points: number; durationSeconds: number };

/** A refusal: which rule, and when the key may try again. */
export type RateRefusal = { rule: string; retryAfterMs: number };

export type RateLimiter = {
  /** Counts one hit on each rule's key; the first refusal with the longest wait, or null when every rule allows it. */
  consume(hits: ReadonlyArray<{ rule: RateRule; key: string }>): Promise<RateRefusal | null>;
};

/**
 * rate-limiter-flexible over the shared store. A limiter is built per rule
 * and limit (a site may have its own), all of a rule's limiters counting on
 * the same key, so changing a site's limit keeps its count. When the store
 * cannot be reached each limiter falls back to an in-process count (its
 * insurance limiter): the limits hold per instance instead of refusing every
 * visitor because Redis is down.
 */
export function createRateLimiter(store: RateLimitStore): RateLimiter {
  const limiters = new Map<string, RateLimiterAbstract>();
  let sweeping = false;

  function limiterFor(rule: RateRule): RateLimiterAbstract {
    const id = `${rule.name}:${rule.points}:${rule.durationSeconds}`;
    let limiter = limiters.get(id);
    if (limiter) return limiter;
    const common = { keyPrefix: `rl:${rule.name}`, points: rule.points, duration: rule.durationSeconds };
    const insuranceLimiter = new RateLimiterMemory(common);
    if (store.kind === "redis") {
      limiter = new RateLimiterRedis({ ...common, storeClient: store.client, insuranceLimiter, rejectIfRedisNotReady: true });
    } else {
      // One limiter sweeps expired rows for the whole table: more would only repeat its delete.
      limiter = new RateLimiterDrizzle({ ...common, storeClient: store.db, schema: rateLimits, insuranceLimiter, clearExpiredByTimeout: !sweeping });
      sweeping = true;
    }
    limiters.set(id, limiter);
    return limiter;
  }

  return {
    async consume(hits) {
      const outcomes = await Promise.all(
        hits.map(({ rule, key }) =>
          limiterFor(rule)
            .consume(key)
            .then(
              () => null,
              (refusal: unknown): RateRefusal => {
                // A store error reaches here only when the insurance limiter failed as well.
                if (!(refusal instanceof RateLimiterRes)) throw refusal;
                return { rule: rule.name, retryAfterMs: Math.max(refusal.msBeforeNext, 1) };
              },
            ),
        ),
      );
      const refusals = outcomes.filter((o): o is RateRefusal => o !== null);
      if (refusals.length === 0) return null;
      return refusals.reduce((longest, r) => (r.retryAfterMs > longest.retryAfterMs ? r : longest));
    },
  };
}
