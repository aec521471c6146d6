import { randomUUID } from "node:crypto";
import { decodeEntry, encodeEntry, type DecodeResult } from "./codec";
import type { Invalidation } from "./invalidation";
import { buildLocalKey, buildScopePrefix, checkKey, checkOrganization } from "./keys";
import { createMemoryLayer } from "./memory-layer";
import { resolveOptions, type CacheOptions, type ResolvedNamespace, type ResolvedOptions } from "./options";
import { createOutageReporter, describeError, describeRedisUrl } from "./outage";
import { createRedisStore, type Outcome } from "./redis-store";
import { createBadValueReporter, createCounters, type CacheStats } from "./stats";
import { subscribeToInvalidations } from "./subscriber";

export type CacheSource = "l1" | "l2" | "l3";
export type CacheResult<T> = { value: T | undefined; source: CacheSource };
/** L3: the source of truth. undefined or null means "no such thing" and may be cached briefly. */
export type Loader<T> = () => Promise<T | null | undefined>;

export type Cache<N extends string = string> = {
  get<T>(namespace: N, organizationId: string, key: string, load: Loader<T>): Promise<T | undefined>;
  getWithSource<T>(namespace: N, organizationId: string, key: string, load: Loader<T>): Promise<CacheResult<T>>;
  /** The cached value (L1, else L2), never loading it: undefined when neither layer has it. */
  peek<T>(namespace: N, organizationId: string, key: string): Promise<T | undefined>;
  /**
   * Writes a value the caller just made true (write-through): L1, L2, and
   * every other instance drops its L1 copy and reads the new one from L2.
   * A load of the same key already running is not stored over it.
   */
  set<T>(namespace: N, organizationId: string, key: string, value: T): Promise<void>;
  invalidate(namespace: N, organizationId: string, key: string): Promise<void>;
  /** Every key of the namespace, or only one organization's when it is given. */
  invalidateNamespace(namespace: N, organizationId?: string): Promise<void>;
  stats(): CacheStats;
  close(): Promise<void>;
};

type Target = { namespace: string; organizationId: string; key: string; spec: ResolvedNamespace; localKey: string };
// Marked stale when the key is invalidated mid-load, so a value read before the change is
// handed to the callers already waiting but never stored.
type Flight = { stale: boolean; promise: Promise<CacheResult<unknown>> };

export function createCache<N extends string>(options: CacheOptions<N>): Cache<N> {
  const config = resolveOptions(options);
  const origin = randomUUID();
  const memory = createMemoryLayer({ maxEntries: config.l1MaxEntries, maxBytes: config.l1MaxBytes });
  const counters = createCounters(config.namespaces.keys());
  const reportBadValue = createBadValueReporter(config.log);
  const flights = new Map<string, Flight>();
  const redis = config.redisUrl ? connectRedis(config, config.redisUrl) : undefined;

  function connectRedis(resolved: ResolvedOptions, url: string) {
    const outage = createOutageReporter(resolved.log, describeRedisUrl(url));
    // One channel per prefix: caches under other prefixes (other tests, other apps) stay deaf to it.
    const shared = { url, origin, outage, channel: `${resolved.keyPrefix}:invalidations`, connectTimeoutMs: resolved.redisConnectTimeoutMs };
    return {
      store: createRedisStore({ ...shared, keyPrefix: resolved.keyPrefix, timeoutMs: resolved.redisTimeoutMs, breaker: resolved.breaker }),
      subscriber: subscribeToInvalidations({
        ...shared,
        onInvalidation: forgetLocally,
        // L1 may hold values invalidated while we could not hear about it.
        onMessagesMissed: () => forgetLocally({ kind: "prefix", target: "" }),
      }),
    };
  }

  function forgetLocally(invalidation: Invalidation): void {
    const matches = (localKey: string) =>
      invalidation.kind === "key" ? localKey === invalidation.target : localKey.startsWith(invalidation.target);
    if (invalidation.kind === "key") memory.remove(invalidation.target);
    else memory.removeByPrefix(invalidation.target);
    for (const [localKey, flight] of flights) {
      if (!matches(localKey)) continue;
      flight.stale = true;
      // Later callers start a fresh load instead of joining the one that is now stale.
      flights.delete(localKey);
    }
  }

  function requireNamespace(namespace: string): ResolvedNamespace {
    const spec = config.namespaces.get(namespace);
    if (!spec) throw new TypeError(`unknown cache namespace "${namespace}"`);
    return spec;
  }

  function locate(namespace: string, organizationId: string, key: string): Target {
    const spec = requireNamespace(namespace);
    checkOrganization(namespace, spec, organizationId);
    checkKey(key);
    return { namespace, organizationId, key, spec, localKey: buildLocalKey(namespace, organizationId, key) };
  }

  function countFailure(namespace: string, outcome: Outcome<unknown> | undefined): void {
    if (outcome?.status === "failed") counters.count(namespace, "errors");
  }

  async function readFromRedis(target: Target, flight: Flight): Promise<CacheResult<unknown> | undefined> {
    if (!redis) return undefined;
    const outcome = await redis.store.read(target.localKey);
    countFailure(target.namespace, outcome);
    if (outcome.status !== "ok" || outcome.value === null) return undefined;
    const decoded = decodeEntry(outcome.value, target.spec.schema);
    if (!decoded.ok) {
      counters.count(target.namespace, "errors");
      reportBadValue({ ...describeTarget(target), layer: "l2", reason: decoded.reason });
      return undefined;
    }
    const longest = decoded.entry.found ? target.spec.ttlMs : target.spec.negativeTtlMs;
    const remainingMs = Math.min(longest, decoded.expiresAt - Date.now());
    if (remainingMs > 0 && !flight.stale) memory.write(target.localKey, decoded.entry, remainingMs);
    counters.count(target.namespace, "l2Hits");
    return { value: decoded.entry.found ? decoded.entry.value : undefined, source: "l2" };
  }

  async function storeLoaded(target: Target, flight: Flight, loaded: unknown): Promise<CacheResult<unknown>> {
    const ttlMs = loaded === undefined ? target.spec.negativeTtlMs : target.spec.ttlMs;
    if (ttlMs === 0) return { value: loaded, source: "l3" };
    let encoded = "";
    let decoded: DecodeResult;
    try {
      encoded = encodeEntry(loaded, ttlMs);
      // Round-tripped so a value reads the same whichever layer answers (a Date is a string
      // after JSON, unless the namespace schema turns it back).
      decoded = decodeEntry(encoded, target.spec.schema);
    } catch (error) {
      decoded = { ok: false, reason: describeError(error) };
    }
    if (!decoded.ok) {
      counters.count(target.namespace, "errors");
      reportBadValue({ ...describeTarget(target), layer: "l3", reason: decoded.reason });
      return { value: loaded, source: "l3" };
    }
    const value = decoded.entry.found ? decoded.entry.value : undefined;
    if (flight.stale) return { value, source: "l3" };
    memory.write(target.localKey, decoded.entry, ttlMs);
    if (redis) countFailure(target.namespace, await redis.store.write(target.localKey, encoded, ttlMs));
    return { value, source: "l3" };
  }

  async function resolveMiss(target: Target, flight: Flight, load: Loader<unknown>): Promise<CacheResult<unknown>> {
    const fromRedis = await readFromRedis(target, flight);
    if (fromRedis) return fromRedis;
    counters.count(target.namespace, "misses");
    let loaded: unknown;
    try {
      loaded = await load();
    } catch (error) {
      counters.count(target.namespace, "errors");
      throw error;
    }
    return storeLoaded(target, flight, loaded ?? undefined);
  }

  async function getWithSource<T>(namespace: N, organizationId: string, key: string, load: Loader<T>): Promise<CacheResult<T>> {
    const target = locate(namespace, organizationId, key);
    const cached = memory.read(target.localKey);
    if (cached) {
      counters.count(namespace, "l1Hits");
      return { value: cached.found ? (cached.value as T) : undefined, source: "l1" };
    }
    const joined = flights.get(target.localKey);
    if (joined) return joined.promise as Promise<CacheResult<T>>;

    const flight: Flight = { stale: false, promise: Promise.resolve({ value: undefined, source: "l3" }) };
    flight.promise = resolveMiss(target, flight, load).finally(() => {
      if (flights.get(target.localKey) === flight) flights.delete(target.localKey);
    });
    flights.set(target.localKey, flight);
    return flight.promise as Promise<CacheResult<T>>;
  }

  async function invalidateEverywhere(namespace: string, invalidation: Invalidation): Promise<void> {
    forgetLocally(invalidation);
    if (redis) countFailure(namespace, await redis.store.invalidate(invalidation));
  }

  async function peek<T>(namespace: N, organizationId: string, key: string): Promise<T | undefined> {
    const target = locate(namespace, organizationId, key);
    const cached = memory.read(target.localKey);
    if (cached) {
      counters.count(namespace, "l1Hits");
      return cached.found ? (cached.value as T) : undefined;
    }
    const fromRedis = await readFromRedis(target, { stale: false, promise: Promise.resolve({ value: undefined, source: "l3" }) });
    return fromRedis?.value as T | undefined;
  }

  async function set<T>(namespace: N, organizationId: string, key: string, value: T): Promise<void> {
    const target = locate(namespace, organizationId, key);
    const flight = flights.get(target.localKey);
    if (flight) {
      flight.stale = true;
      flights.delete(target.localKey);
    }
    let encoded: string;
    let decoded: DecodeResult;
    try {
      encoded = encodeEntry(value, target.spec.ttlMs);
      decoded = decodeEntry(encoded, target.spec.schema);
    } catch (error) {
      decoded = { ok: false, reason: describeError(error) };
      encoded = "";
    }
    if (!decoded.ok) {
      counters.count(namespace, "errors");
      reportBadValue({ ...describeTarget(target), layer: "l3", reason: decoded.reason });
      await invalidateEverywhere(namespace, { kind: "key", target: target.localKey });
      return;
    }
    memory.write(target.localKey, decoded.entry, target.spec.ttlMs);
    if (redis) countFailure(namespace, await redis.store.replace(target.localKey, encoded, target.spec.ttlMs));
  }

  return {
    getWithSource,
    peek,
    set,

    async get(namespace, organizationId, key, load) {
      return (await getWithSource(namespace, organizationId, key, load)).value;
    },

    async invalidate(namespace, organizationId, key) {
      const { localKey } = locate(namespace, organizationId, key);
      await invalidateEverywhere(namespace, { kind: "key", target: localKey });
    },

    async invalidateNamespace(namespace, organizationId) {
      const spec = requireNamespace(namespace);
      if (organizationId !== undefined) checkOrganization(namespace, spec, organizationId);
      await invalidateEverywhere(namespace, { kind: "prefix", target: buildScopePrefix(namespace, organizationId) });
    },

    stats: () => counters.snapshot(),

    async close() {
      if (redis) await Promise.all([redis.store.close(), redis.subscriber.close()]);
    },
  };
}

function describeTarget({ namespace, organizationId, key }: Target) {
  return { namespace, organizationId, key };
}
