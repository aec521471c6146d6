import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createCache, type Cache } from "./cache";
import { encodeEntry } from "./codec";
import type { CacheOptions } from "./options";
import { createRandomPrefix, createRecordingLog, createSource, deleteKeysWithPrefix, pollUntil, sleep } from "./test-support";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = createRandomPrefix();
const ORG_A = "org-a";
const ORG_B = "org-b";

const namespaces = {
  organizations: { ttlMs: 60_000 },
  shortLived: { ttlMs: 300, negativeTtlMs: 200 },
  templates: { ttlMs: 60_000, schema: z.object({ name: z.string(), fields: z.array(z.string()) }) },
  modelRates: { ttlMs: 60_000, global: true },
};
type Namespace = keyof typeof namespaces;

let raw: Redis;
const opened: Cache<Namespace>[] = [];

// A generous command timeout: these tests are about caching, and this box is noisy.
function openCache(overrides: Partial<CacheOptions<Namespace>> = {}) {
  const recorded = createRecordingLog();
  const cache = createCache<Namespace>({ redisUrl: REDIS_URL, keyPrefix: prefix, namespaces, redisTimeoutMs: 1_000, log: recorded.log, ...overrides });
  opened.push(cache);
  return Object.assign(cache, { recorded });
}

beforeAll(async () => {
  raw = new Redis(REDIS_URL);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((cache) => cache.close()));
});

afterAll(async () => {
  await deleteKeysWithPrefix(REDIS_URL, prefix);
  raw.disconnect();
});

describe("read-through", () => {
  it("loads once, then answers from memory, and a second instance answers from Redis", async () => {
    const a = openCache();
    const b = openCache();
    const source = createSource({ name: "Acme" });

    expect(await a.getWithSource("organizations", ORG_A, "o1", source.load)).toEqual({ value: { name: "Acme" }, source: "l3" });
    expect(await a.getWithSource("organizations", ORG_A, "o1", source.load)).toEqual({ value: { name: "Acme" }, source: "l1" });
    expect(await b.getWithSource("organizations", ORG_A, "o1", source.load)).toEqual({ value: { name: "Acme" }, source: "l2" });
    expect(await b.getWithSource("organizations", ORG_A, "o1", source.load)).toMatchObject({ source: "l1" });
    expect(source.calls).toBe(1);
    expect(a.stats().organizations).toEqual({ l1Hits: 1, l2Hits: 0, misses: 1, errors: 0 });
    expect(b.stats().organizations).toEqual({ l1Hits: 1, l2Hits: 1, misses: 0, errors: 0 });
    expect(await raw.pttl(`${prefix}:organizations:${ORG_A}:o1`)).toBeGreaterThan(50_000);
  });

  it("reloads once the namespace TTL has passed", async () => {
    const a = openCache();
    const source = createSource("v1");
    expect(await a.get("shortLived", ORG_A, "t1", source.load)).toBe("v1");
    source.value = "v2";
    expect(await a.get("shortLived", ORG_A, "t1", source.load)).toBe("v1");
    await pollUntil(async () => (await a.get("shortLived", ORG_A, "t1", source.load)) === "v2");
    expect(source.calls).toBe(2);
  });

  it("gives L1 only the time the Redis entry has left", async () => {
    const a = openCache();
    const key = `${prefix}:organizations:${ORG_A}:expiring`;
    // Redis keeps the key for a minute, but the entry itself says it expires in 150 ms.
    await raw.set(key, encodeEntry({ name: "Old" }, 150), "PX", 60_000);
    const source = createSource({ name: "New" });
    expect(await a.getWithSource("organizations", ORG_A, "expiring", source.load)).toMatchObject({ source: "l2" });
    // With the namespace's full minute in L1 this would stay "l1" for the whole poll.
    await pollUntil(async () => (await a.getWithSource("organizations", ORG_A, "expiring", source.load)).source === "l2");
    expect(source.calls).toBe(0);
  });

  it("turns 100 concurrent misses for one key into one load", async () => {
    const a = openCache();
    const source = createSource({ name: "Slow" }, 50);
    const results = await Promise.all(Array.from({ length: 100 }, () => a.getWithSource("organizations", ORG_A, "crowd", source.load)));
    expect(source.calls).toBe(1);
    expect(results.every((result) => result.value?.name === "Slow")).toBe(true);
    expect(a.stats().organizations?.misses).toBe(1);
  });

  it("passes a loader's failure to every waiting caller and caches nothing", async () => {
    const a = openCache();
    let calls = 0;
    const failing = async () => {
      calls += 1;
      await sleep(20);
      throw new Error("database down");
    };
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => a.get("organizations", ORG_A, "broken", failing)));
    expect(results.every((result) => result.status === "rejected")).toBe(true);
    expect(calls).toBe(1);
    expect(await a.get("organizations", ORG_A, "broken", async () => "fixed")).toBe("fixed");
  });
});

describe("invalidation", () => {
  it("reaches another instance's memory within a second", async () => {
    const a = openCache();
    const b = openCache();
    const source = createSource("v1");
    await a.get("organizations", ORG_A, "inv", source.load);
    expect(await b.getWithSource("organizations", ORG_A, "inv", source.load)).toEqual({ value: "v1", source: "l2" });
    expect(await b.getWithSource("organizations", ORG_A, "inv", source.load)).toMatchObject({ source: "l1" });

    source.value = "v2";
    await a.invalidate("organizations", ORG_A, "inv");
    expect(await a.get("organizations", ORG_A, "inv", source.load)).toBe("v2");
    await pollUntil(async () => (await b.get("organizations", ORG_A, "inv", source.load)) === "v2", { timeoutMs: 1_000 });
  });

  it("drops a whole namespace for one organization, leaving the others", async () => {
    const a = openCache();
    const b = openCache();
    const sourceA = createSource("a1");
    const sourceB = createSource("b1");
    for (const cache of [a, b]) {
      await cache.get("organizations", ORG_A, "k1", sourceA.load);
      await cache.get("organizations", ORG_A, "k2", sourceA.load);
      await cache.get("organizations", ORG_B, "k1", sourceB.load);
    }
    sourceA.value = "a2";
    sourceB.value = "b2";
    await a.invalidateNamespace("organizations", ORG_A);
    expect(await raw.exists(`${prefix}:organizations:${ORG_A}:k1`, `${prefix}:organizations:${ORG_A}:k2`)).toBe(0);
    await pollUntil(async () => (await b.get("organizations", ORG_A, "k2", sourceA.load)) === "a2", { timeoutMs: 1_000 });
    expect(await b.get("organizations", ORG_A, "k1", sourceA.load)).toBe("a2");
    expect(await b.get("organizations", ORG_B, "k1", sourceB.load)).toBe("b1");
  });

  it("does not store a value whose load began before the key was invalidated", async () => {
    const a = openCache();
    let current = "before";
    let calls = 0;
    // Reads the source when it starts, as a query would, and answers later.
    const load = async () => {
      calls += 1;
      const seen = current;
      await sleep(100);
      return seen;
    };
    const loading = a.get("organizations", ORG_A, "race", load);
    await sleep(20);
    current = "after";
    await a.invalidate("organizations", ORG_A, "race");
    expect(await loading).toBe("before");
    expect(await a.get("organizations", ORG_A, "race", load)).toBe("after");
    expect(calls).toBe(2);
  });
});

describe("negative entries", () => {
  it("remembers 'not found' briefly, in memory and in Redis", async () => {
    const a = openCache();
    const b = openCache();
    const source = createSource<string>(undefined);
    expect(await a.getWithSource("shortLived", ORG_A, "ghost", source.load)).toEqual({ value: undefined, source: "l3" });
    expect(await a.getWithSource("shortLived", ORG_A, "ghost", source.load)).toEqual({ value: undefined, source: "l1" });
    expect(await b.getWithSource("shortLived", ORG_A, "ghost", source.load)).toEqual({ value: undefined, source: "l2" });
    expect(source.calls).toBe(1);
    source.value = "appeared";
    await pollUntil(async () => (await a.get("shortLived", ORG_A, "ghost", source.load)) === "appeared");
  });

  it("treats null from the loader as not found", async () => {
    const a = openCache();
    let calls = 0;
    const load = async () => {
      calls += 1;
      return null;
    };
    expect(await a.get("organizations", ORG_A, "null", load)).toBeUndefined();
    expect(await a.get("organizations", ORG_A, "null", load)).toBeUndefined();
    expect(calls).toBe(1);
  });
});

describe("organization scope", () => {
  it("never answers one organization with another's value", async () => {
    const a = openCache();
    const b = openCache();
    await a.get("organizations", ORG_A, "same", async () => "for A");
    await a.get("organizations", ORG_B, "same", async () => "for B");
    const never = async () => "loaded again";
    expect(await b.getWithSource("organizations", ORG_A, "same", never)).toEqual({ value: "for A", source: "l2" });
    expect(await b.getWithSource("organizations", ORG_B, "same", never)).toEqual({ value: "for B", source: "l2" });
    expect(await a.get("organizations", ORG_A, "same", never)).toBe("for A");
  });

  it("keeps 'global' for global namespaces and refuses ambiguous scopes", async () => {
    const a = openCache();
    expect(await a.get("modelRates", "global", "gpt", async () => ({ inputPerMillion: 2.5 }))).toEqual({ inputPerMillion: 2.5 });
    await expect(a.get("modelRates", ORG_A, "gpt", async () => 1)).rejects.toThrow(/global/);
    await expect(a.get("organizations", "global", "x", async () => 1)).rejects.toThrow(/not an organization/);
    await expect(a.get("organizations", "org:b", "x", async () => 1)).rejects.toThrow(/invalid organization/);
    await expect(a.get("nope" as Namespace, ORG_A, "x", async () => 1)).rejects.toThrow(/unknown cache namespace/);
  });
});

describe("undecodable values", () => {
  it("treats garbage in Redis as a miss and warns once per key", async () => {
    const a = openCache({ namespaces: { ...namespaces, organizations: { ttlMs: 100 } } });
    const key = `${prefix}:organizations:${ORG_A}:garbage`;
    await raw.set(key, "{not json");
    const source = createSource({ name: "Fresh" });
    expect(await a.getWithSource("organizations", ORG_A, "garbage", source.load)).toEqual({ value: { name: "Fresh" }, source: "l3" });
    expect(a.recorded.warnings).toHaveLength(1);
    expect(a.recorded.warnings[0]?.obj).toMatchObject({ key: "garbage", layer: "l2" });

    await sleep(150);
    await raw.set(key, "{still not json");
    expect(await a.getWithSource("organizations", ORG_A, "garbage", source.load)).toMatchObject({ source: "l3" });
    expect(a.recorded.warnings).toHaveLength(1);
    expect(a.stats().organizations?.errors).toBe(2);
  });

  it("treats a value the namespace schema rejects as a miss", async () => {
    const a = openCache();
    await raw.set(`${prefix}:templates:${ORG_A}:t1`, encodeEntry({ name: 42 }, 60_000), "PX", 60_000);
    const source = createSource({ name: "Lead", fields: ["email"] });
    expect(await a.getWithSource("templates", ORG_A, "t1", source.load)).toEqual({ value: { name: "Lead", fields: ["email"] }, source: "l3" });
    expect(a.recorded.warnings).toHaveLength(1);
    expect(a.recorded.warnings[0]?.obj).toMatchObject({ reason: expect.stringMatching(/schema/) });
  });

  it("returns but does not cache a loaded value with no JSON form", async () => {
    const a = openCache();
    const source = createSource({ count: 1n });
    expect(await a.get("organizations", ORG_A, "bigint", source.load)).toEqual({ count: 1n });
    expect(await a.get("organizations", ORG_A, "bigint", source.load)).toEqual({ count: 1n });
    expect(source.calls).toBe(2);
    expect(a.recorded.warnings).toHaveLength(1);
  });
});

describe("without Redis", () => {
  it("caches in memory only, bounded by entries", async () => {
    const recorded = createRecordingLog();
    const cache = createCache({ namespaces: { organizations: { ttlMs: 60_000 } }, l1MaxEntries: 2, log: recorded.log });
    const source = createSource("v");
    await cache.get("organizations", ORG_A, "k1", source.load);
    expect(await cache.getWithSource("organizations", ORG_A, "k1", source.load)).toEqual({ value: "v", source: "l1" });
    await cache.get("organizations", ORG_A, "k2", source.load);
    await cache.get("organizations", ORG_A, "k3", source.load);
    expect(await cache.getWithSource("organizations", ORG_A, "k1", source.load)).toMatchObject({ source: "l3" });
    await cache.invalidate("organizations", ORG_A, "k3");
    expect(await cache.getWithSource("organizations", ORG_A, "k3", source.load)).toMatchObject({ source: "l3" });
    await cache.close();
    expect(recorded.warnings).toEqual([]);
  });

  it("evicts by approximate bytes when asked to", async () => {
    const cache = createCache({ namespaces: { organizations: { ttlMs: 60_000 } }, l1MaxBytes: 300, log: createRecordingLog().log });
    const big = "x".repeat(100);
    for (const key of ["k1", "k2", "k3", "k4"]) await cache.get("organizations", ORG_A, key, async () => big);
    expect(await cache.getWithSource("organizations", ORG_A, "k4", async () => big)).toMatchObject({ source: "l1" });
    expect(await cache.getWithSource("organizations", ORG_A, "k1", async () => big)).toMatchObject({ source: "l3" });
  });
});
