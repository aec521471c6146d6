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
  /** Counts one hit on each rule's key; the refusal with the longest wait, or null when every rule allows it. */
  consume(hits: ReadonlyArray<{ rule: RateRule; key: string }>): Promise<RateRefusal | null>;
  /** Resolves once every hit admitted so far has been counted in the store. */
  settled(): Promise<void>;
  /**
   * Remembers keys no store can have counted yet (a session this process has
   * just created) as unused, so their first hits are admitted without asking.
   */
  assumeUnused(keys: ReadonlyArray<{ rule: RateRule; key: string }>): void;
};

/** What the store last said about a key: points left in its window, and hits counted here since that are still on their way. */
type Known = { remaining: number; resetAt: number; unconfirmed: number };

/** Hits admitted locally, waiting to be counted in the store. */
type PendingCount = { rule: RateRule; limiter: RateLimiterAbstract; key: string; hits: number };

/** Past this many remembered keys, expired ones are dropped (and, if still too many, all). */
const MAX_KNOWN_KEYS = 100_000;

/**
 * rate-limiter-flexible over the shared store, asked on the visitor's path
 * only when its answer could be a refusal.
 *
 * Each (rule, key) remembers what the store said last. While that leaves a
 * margin (a tenth of the limit, at least one point) after this hit, the hit
 * is admitted at once and counted in the store in the background, whose
 * answer refreshes what is remembered; once the remembered window has ended
 * a new one is assumed to have every point. A key this instance has never
 * seen, or one near its limit, is asked synchronously. So a warm visitor's
 * message costs no round trip before the model, one instance is exact, and
 * a cluster can pass a key's limit by at most about one hit per other
 * instance (the hits each admitted on what it knew before its background
 * count came back).
 *
 * A limiter is built per rule and limit (a site may have its own), all of a
 * rule's limiters counting on the same key, so changing a site's limit keeps
 * its count. When the store cannot be reached each limiter falls back to an
 * in-process count (its insurance limiter): the limits hold per instance
 * instead of refusing every visitor because Redis is down.
 */
export function createRateLimiter(store: RateLimitStore): RateLimiter {
  const limiters = new Map<string, RateLimiterAbstract>();
  const known = new Map<string, Known>();
  let sweeping = false;

  function limiterFor(rule: RateRule): { id: string; limiter: RateLimiterAbstract } {
    const id = `${rule.name}:${rule.points}:${rule.durationSeconds}`;
    let limiter = limiters.get(id);
    if (limiter) return { id, limiter };
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
    return { id, limiter };
  }

  /** True when the store's last word on this key leaves room for this hit and the margin. */
  function admitsLocally(rule: RateRule, knownKey: string, now: number): boolean {
    let entry = known.get(knownKey);
    if (!entry) return false;
    if (entry.resetAt <= now) {
      // The window the store counted in has ended: a new one starts with every point (another instance may have begun it).
      entry = { remaining: rule.points, resetAt: now + rule.durationSeconds * 1000, unconfirmed: 0 };
      known.set(knownKey, entry);
    }
    const margin = Math.max(1, Math.ceil(rule.points / 10));
    return entry.remaining - entry.unconfirmed - 1 >= margin;
  }

  /** Remembers the store's answer; answers of one window may arrive out of order, and the lowest count left is the latest. */
  function learn(knownKey: string, answer: RateLimiterRes, now: number, confirming: number) {
    const entry = known.get(knownKey);
    const resetAt = now + answer.msBeforeNext;
    const remaining = Math.max(answer.remainingPoints, 0);
    if (entry && entry.resetAt > now && Math.abs(entry.resetAt - resetAt) < 1_000) {
      entry.remaining = Math.min(entry.remaining, remaining);
      entry.unconfirmed = Math.max(entry.unconfirmed - confirming, 0);
      return;
    }
    if (known.size >= MAX_KNOWN_KEYS) forgetExpired(now);
    known.set(knownKey, { remaining, resetAt, unconfirmed: entry ? Math.max(entry.unconfirmed - confirming, 0) : 0 });
  }

  function forgetExpired(now: number) {
    for (const [key, entry] of known) if (entry.resetAt <= now) known.delete(key);
    if (known.size >= MAX_KNOWN_KEYS) known.clear();
  }

  /**
   * Background counts wait for the next turn of the event loop (by then the
   * admitted request has started its model call), and a key's hits of one
   * turn go to the store as one consume of that many points: under load a
   * site's key costs the store one call a turn, not one a message. In
   * Postgres all of a turn's keys are counted by one statement.
   */
  const pendingCounts = new Map<string, PendingCount>();
  const counting = new Set<Promise<unknown>>();
  /** Each key's count on its way to the store. */
  const inFlight = new Map<string, Promise<unknown>>();
  function track(knownKeys: Iterable<string>, counted: Promise<unknown>) {
    for (const knownKey of knownKeys) inFlight.set(knownKey, counted);
    counting.add(counted);
    void counted.finally(() => {
      counting.delete(counted);
      for (const knownKey of knownKeys) if (inFlight.get(knownKey) === counted) inFlight.delete(knownKey);
    });
  }
  function countLater(knownKey: string, rule: RateRule, limiter: RateLimiterAbstract, key: string) {
    const pending = pendingCounts.get(knownKey);
    if (pending) {
      pending.hits += 1;
      return;
    }
    pendingCounts.set(knownKey, { rule, limiter, key, hits: 1 });
    if (pendingCounts.size === 1) setImmediate(countPending);
  }

  function countPending() {
    const batch = [...pendingCounts];
    pendingCounts.clear();
    if (batch.length === 0) return; // taken by a synchronous consume meanwhile
    if (store.kind === "postgres") {
      const counted = countInPostgres(store.db, batch)
        .then(
          (answers) => {
            const now = Date.now();
            for (const [knownKey, pending] of batch) {
              const answer = answers.get(pending.limiter.getKey(pending.key));
              if (answer) learn(knownKey, answer, now, pending.hits);
              else known.delete(knownKey);
            }
          },
          // Uncounted: the keys are asked synchronously next time, which falls back to each limiter's in-process count.
          () => batch.forEach(([knownKey]) => known.delete(knownKey)),
        );
      track(batch.map(([knownKey]) => knownKey), counted);
      return;
    }
    for (const [knownKey, { limiter, key, hits }] of batch) {
      const counted = limiter
        .consume(key, hits)
        .then(
          (answer) => learn(knownKey, answer, Date.now(), hits),
          (answer: unknown) => {
            if (answer instanceof RateLimiterRes) learn(knownKey, answer, Date.now(), hits);
            else known.delete(knownKey); // the store and its insurance failed: ask synchronously next time
          },
        );
      track([knownKey], counted);
    }
  }

  async function consumeOne(rule: RateRule, key: string): Promise<RateRefusal | null> {
    const { id, limiter } = limiterFor(rule);
    const knownKey = `${id}\u0000${key}`;
    const now = Date.now();
    if (admitsLocally(rule, knownKey, now)) {
      known.get(knownKey)!.unconfirmed += 1;
      countLater(knownKey, rule, limiter, key);
      return null;
    }
    // Near its limit the store decides, so it must have every hit admitted here first: the key's hits
    // still waiting for this turn's count go with this one, and whoever asks after waits for a count on
    // its way (200 sends at once on a new session with a limit of 10 were 19 admitted without this).
    const earlier = pendingCounts.get(knownKey)?.hits ?? 0;
    pendingCounts.delete(knownKey);
    const before = inFlight.get(knownKey);
    const asked = (async () => {
      await before;
      return limiter.consume(key, 1 + earlier);
    })();
    if (earlier > 0) track([knownKey], asked.catch(() => undefined));
    try {
      learn(knownKey, await asked, Date.now(), earlier);
      return null;
    } catch (refusal) {
      // A store error reaches here only when the insurance limiter failed as well.
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      learn(knownKey, refusal, Date.now(), earlier);
      return { rule: rule.name, retryAfterMs: Math.max(refusal.msBeforeNext, 1) };
    }
  }

  return {
    async consume(hits) {
      const outcomes = await Promise.all(hits.map(({ rule, key }) => consumeOne(rule, key)));
      const refusals = outcomes.filter((o): o is RateRefusal => o !== null);
      if (refusals.length === 0) return null;
      return refusals.reduce((longest, r) => (r.retryAfterMs > longest.retryAfterMs ? r : longest));
    },

    assumeUnused(keys) {
      const now = Date.now();
      for (const { rule, key } of keys) {
        const { id } = limiterFor(rule);
        known.set(`${id}\u0000${key}`, { remaining: rule.points, resetAt: now + rule.durationSeconds * 1000, unconfirmed: 0 });
      }
    },

    async settled() {
      while (pendingCounts.size > 0 || counting.size > 0) {
        await new Promise((resolve) => setImmediate(resolve));
        await Promise.allSettled([...counting]);
      }
    },
  };
}

/**
 * Counts a turn's hits in the rate_limits table in one statement, with the
 * same rule as RateLimiterDrizzle's consume (the synchronous path counts in
 * the same rows): an expired window restarts at this count, a live one adds
 * to it. Keys are the limiters' own (their key prefix included); two
 * limiters of one rule counting one key are summed. Answers by row key.
 */
async function countInPostgres(db: Database, batch: ReadonlyArray<[string, PendingCount]>): Promise<Map<string, RateLimiterRes>> {
  const rows = new Map<string, { points: number; durationMs: number; limit: number }>();
  for (const [, { rule, limiter, key, hits }] of batch) {
    const rowKey = limiter.getKey(key);
    const row = rows.get(rowKey);
    if (row) row.points += hits;
    else rows.set(rowKey, { points: hits, durationMs: rule.durationSeconds * 1000, limit: rule.points });
  }
  const now = Date.now();
  const counts = [...rows].map(([key, row]) => ({ key, points: row.points, expire: new Date(now + row.durationMs).toISOString() }));
  // One JSON parameter: this client's serializers (drizzle's) leave JS arrays unencoded.
  const counted = await db.$client<{ key: string; points: number; expire: Date | string | null }[]>`
    insert into rate_limits as r (key, points, expire)
    select t.key, t.points, t.expire from jsonb_to_recordset(${JSON.stringify(counts)}::jsonb) as t(key text, points int, expire timestamptz)
    on conflict (key) do update set
      points = case when r.expire <= ${new Date(now).toISOString()}::timestamptz then excluded.points else r.points + excluded.points end,
      expire = case when r.expire <= ${new Date(now).toISOString()}::timestamptz then excluded.expire else r.expire end
    returning key, points, expire`;
  const answers = new Map<string, RateLimiterRes>();
  for (const row of counted) {
    const limit = rows.get(row.key)?.limit ?? 0;
    const msBeforeNext = row.expire ? Math.max(new Date(row.expire).getTime() - Date.now(), 0) : -1;
    answers.set(row.key, new RateLimiterRes(Math.max(limit - row.points, 0), msBeforeNext, row.points));
  }
  return answers;
}
