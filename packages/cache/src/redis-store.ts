import type { Redis } from "ioredis";
import { createBreaker } from "./breaker";
import { buildMatchPattern } from "./keys";
import { encodeInvalidationMessage, type Invalidation } from "./invalidation";
import type { OutageReporter } from "./outage";
import { closeRedisConnection, openRedisConnection, raceTimeout, watchStartup } from "./redis-connection";

/** "skipped": Redis was not asked (breaker open, still connecting, closed); not an error. */
export type Outcome<T> = { status: "ok"; value: T } | { status: "skipped" } | { status: "failed" };

export type RedisStoreOptions = {
  url: string;
  keyPrefix: string;
  channel: string;
  origin: string;
  timeoutMs: number;
  connectTimeoutMs: number;
  breaker: { failures: number; coolDownMs: number };
  outage: OutageReporter;
};

type Timed = <T>(promise: Promise<T>) => Promise<T>;

const SKIPPED = { status: "skipped" } as const;
const FAILED = { status: "failed" } as const;
const SCAN_BATCH = 500;
// Past this many invalidations missed during one outage, forgetting the whole cache once is
// cheaper and just as correct.
const MAX_PENDING_INVALIDATIONS = 1_000;
const EVERYTHING: Invalidation = { kind: "prefix", target: "" };

/** L2: reads, writes and invalidations through one connection behind a timeout and a breaker. */
export function createRedisStore(options: RedisStoreOptions) {
  const { keyPrefix, channel, origin, timeoutMs, outage } = options;
  let lastError: unknown;
  let closed = false;
  let replaying = false;
  // Invalidations that could not reach Redis: replayed after it answers again, or the values
  // written before the outage would outlive the invalidation in L2.
  const pending = new Map<string, Invalidation>();

  const client = openRedisConnection(options.url, {
    connectTimeoutMs: options.connectTimeoutMs,
    onError: (error) => {
      lastError = error;
    },
  });
  const startup = watchStartup(client, options.connectTimeoutMs);
  const breaker = createBreaker({
    ...options.breaker,
    onOpen: () => outage.reportDown("commands", lastError),
    onClose: () => outage.reportUp("commands"),
  });
  const timed: Timed = (promise) => raceTimeout(promise, timeoutMs);

  async function run<T>(operation: (redis: Redis, timed: Timed) => Promise<T>): Promise<Outcome<T>> {
    if (closed) return SKIPPED;
    if (!startup.isSettled()) {
      await raceTimeout(startup.settled, timeoutMs).catch(() => undefined);
      if (client.status !== "ready") return SKIPPED;
    }
    const permit = breaker.acquire();
    if (!permit) return SKIPPED;
    try {
      const value = await operation(client, timed);
      breaker.release(permit, true);
      if (pending.size > 0) void replayPending();
      return { status: "ok", value };
    } catch (error) {
      if (closed) return SKIPPED;
      lastError = error;
      breaker.release(permit, false);
      return FAILED;
    }
  }

  async function invalidate(invalidation: Invalidation): Promise<Outcome<void>> {
    const message = encodeInvalidationMessage(origin, invalidation);
    const outcome = await run(async (redis, timed) => {
      if (invalidation.kind === "key") {
        // One connection keeps the order: the DEL is done before any instance hears the message.
        await timed(Promise.all([redis.del(`${keyPrefix}:${invalidation.target}`), redis.publish(channel, message)]));
        return;
      }
      await removeMatching(redis, timed, buildMatchPattern(`${keyPrefix}:${invalidation.target}`));
      await timed(redis.publish(channel, message));
    });
    if (outcome.status !== "ok") rememberPending(invalidation);
    return outcome;
  }

  function rememberPending(invalidation: Invalidation): void {
    if (closed || pending.has(describe(EVERYTHING))) return;
    if (pending.size >= MAX_PENDING_INVALIDATIONS) {
      pending.clear();
      pending.set(describe(EVERYTHING), EVERYTHING);
      return;
    }
    pending.set(describe(invalidation), invalidation);
  }

  async function replayPending(): Promise<void> {
    if (replaying) return;
    replaying = true;
    try {
      for (const [id, invalidation] of [...pending]) {
        pending.delete(id);
        if ((await invalidate(invalidation)).status !== "ok") break;
      }
    } finally {
      replaying = false;
    }
  }

  return {
    read: (localKey: string) => run((redis, timed) => timed(redis.get(`${keyPrefix}:${localKey}`))),

    write: (localKey: string, encoded: string, ttlMs: number) =>
      run((redis, timed) => timed(redis.set(`${keyPrefix}:${localKey}`, encoded, "PX", ttlMs))),

    /** A new value for a key: stored, then every other instance told to drop its L1 copy (one connection keeps the order). */
    async replace(localKey: string, encoded: string, ttlMs: number): Promise<Outcome<void>> {
      const invalidation: Invalidation = { kind: "key", target: localKey };
      const outcome = await run(async (redis, timed) => {
        await timed(Promise.all([redis.set(`${keyPrefix}:${localKey}`, encoded, "PX", ttlMs), redis.publish(channel, encodeInvalidationMessage(origin, invalidation))]));
      });
      // Not stored: the old value must not outlive it in L2 or other instances' L1.
      if (outcome.status !== "ok") rememberPending(invalidation);
      return outcome;
    },

    invalidate,

    async close(): Promise<void> {
      closed = true;
      pending.clear();
      await closeRedisConnection(client, Math.max(timeoutMs, 500));
    },
  };
}

export type RedisStore = ReturnType<typeof createRedisStore>;

async function removeMatching(redis: Redis, timed: Timed, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await timed(redis.scan(cursor, "MATCH", pattern, "COUNT", SCAN_BATCH));
    if (keys.length > 0) await timed(redis.unlink(...keys));
    cursor = next;
  } while (cursor !== "0");
}

function describe(invalidation: Invalidation): string {
  return `${invalidation.kind}:${invalidation.target}`;
}
