import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createCache, type Cache } from "./cache";
import type { CacheOptions } from "./options";
import { createRandomPrefix, createRecordingLog, createSource, findFreePort, pollUntil, sleep, startProxy, startRedisServer } from "./test-support";

// These tests run their own redis-server (or none): the machine's shared Redis is never stopped.
const CONNECT_TIMEOUT_MS = 1_000;
const ORG = "org-a";
const namespaces = { organizations: { ttlMs: 60_000 } };

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function openCache(redisUrl: string, overrides: Partial<CacheOptions<"organizations">> = {}) {
  const recorded = createRecordingLog();
  const cache = createCache({
    redisUrl,
    keyPrefix: createRandomPrefix(),
    namespaces,
    redisConnectTimeoutMs: CONNECT_TIMEOUT_MS,
    breaker: { failures: 3, coolDownMs: 300 },
    // Generous: these caches are about outages, not about a busy box's slow moments.
    redisTimeoutMs: 250,
    log: recorded.log,
    ...overrides,
  });
  cleanups.push(() => cache.close());
  return Object.assign(cache, { recorded });
}

async function launchRedis(port: number) {
  const server = await startRedisServer(port);
  cleanups.push(server.kill);
  return server;
}

/** Reads many keys and returns the slowest call, checking every answer on the way. */
async function measureSlowestCall(cache: Cache<"organizations">, label: string, count = 30): Promise<number> {
  let slowest = 0;
  for (let i = 0; i < count; i += 1) {
    const key = `${label}-${i % 10}`;
    const started = performance.now();
    const value = await cache.get("organizations", ORG, key, async () => `value of ${key}`);
    slowest = Math.max(slowest, performance.now() - started);
    expect(value).toBe(`value of ${key}`);
    await sleep(10);
  }
  return slowest;
}

describe("with Redis unreachable", () => {
  it("keeps answering from memory and the source without waiting, and warns once", async () => {
    const port = await findFreePort();
    const cache = openCache(`redis://127.0.0.1:${port}`);

    // Any call that waited for Redis would take at least the connect timeout.
    expect(await measureSlowestCall(cache, "dead")).toBeLessThan(CONNECT_TIMEOUT_MS);
    expect(cache.recorded.warnings).toHaveLength(1);
    expect(cache.recorded.warnings[0]?.msg).toMatch(/redis unavailable/);
    expect(cache.stats().organizations).toMatchObject({ misses: 10, l1Hits: 20, l2Hits: 0 });
  });

  it("closes cleanly during the outage and leaves nothing behind to crash later", async () => {
    const port = await findFreePort();
    const recorded = createRecordingLog();
    const cache = createCache({ redisUrl: `redis://127.0.0.1:${port}`, keyPrefix: createRandomPrefix(), namespaces, log: recorded.log });
    expect(await cache.get("organizations", ORG, "k", async () => "v")).toBe("v");
    await cache.close();
    const warningsAtClose = recorded.warnings.length;
    // Reconnect timers firing after close would log, throw or print here.
    await sleep(2_000);
    expect(recorded.warnings).toHaveLength(warningsAtClose);
    expect(await cache.get("organizations", ORG, "k", async () => "v")).toBe("v");
  });
});

describe("with Redis stopped and started again", () => {
  it("serves through the outage, warns once and recovers on its own", async () => {
    const port = await findFreePort();
    const url = `redis://127.0.0.1:${port}`;
    const server = await launchRedis(port);
    const keyPrefix = createRandomPrefix();
    const a = openCache(url, { keyPrefix });
    const b = openCache(url, { keyPrefix });

    await a.get("organizations", ORG, "before", async () => "v1");
    expect(await b.getWithSource("organizations", ORG, "before", async () => "other")).toEqual({ value: "v1", source: "l2" });

    await server.kill();
    expect(await measureSlowestCall(a, "during")).toBeLessThan(CONNECT_TIMEOUT_MS);
    expect(await measureSlowestCall(b, "during")).toBeLessThan(CONNECT_TIMEOUT_MS);
    expect(a.recorded.warnings).toHaveLength(1);
    expect(b.recorded.warnings).toHaveLength(1);
    expect(a.recorded.infos).toHaveLength(0);

    await launchRedis(port);
    // A value one instance loads is an L2 hit for the other once both use Redis again.
    let attempt = 0;
    await pollUntil(
      async () => {
        attempt += 1;
        const key = `after-${attempt}`;
        await a.get("organizations", ORG, key, async () => "fresh");
        return (await b.getWithSource("organizations", ORG, key, async () => "fresh")).source === "l2";
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    await pollUntil(() => a.recorded.infos.length === 1 && b.recorded.infos.length === 1, { timeoutMs: 5_000 });

    // The subscriptions came back too: an invalidation reaches the other instance again.
    await b.get("organizations", ORG, "shared", async () => "old");
    await a.invalidate("organizations", ORG, "shared");
    await pollUntil(async () => (await b.get("organizations", ORG, "shared", async () => "new")) === "new", { timeoutMs: 2_000 });
    expect(a.recorded.warnings).toHaveLength(1);
    expect(b.recorded.warnings).toHaveLength(1);
  });

  it("replays an invalidation that could not reach Redis once it is back", async () => {
    const port = await findFreePort();
    await launchRedis(port);
    const proxy = await startProxy(port);
    cleanups.push(proxy.cut);
    const direct = new Redis(`redis://127.0.0.1:${port}`);
    cleanups.push(async () => direct.disconnect());
    const keyPrefix = createRandomPrefix();
    const redisKey = `${keyPrefix}:organizations:${ORG}:k`;
    const a = openCache(`redis://127.0.0.1:${proxy.port}`, { keyPrefix });
    const source = createSource("old");
    await a.get("organizations", ORG, "k", source.load);
    expect(await direct.exists(redisKey)).toBe(1);

    // Redis keeps the old value while this instance cannot reach it to delete it.
    await proxy.cut();
    source.value = "new";
    await a.invalidate("organizations", ORG, "k");
    expect(await direct.exists(redisKey)).toBe(1);

    await proxy.restore();
    let attempt = 0;
    await pollUntil(
      async () => {
        attempt += 1;
        await a.get("organizations", ORG, `probe-${attempt}`, async () => "probe");
        return (await direct.exists(redisKey)) === 0;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(await a.get("organizations", ORG, "k", source.load)).toBe("new");
  });
});

describe("with Redis too slow", () => {
  it("gives up on each command after the timeout, warns once and recovers", async () => {
    const port = await findFreePort();
    const url = `redis://127.0.0.1:${port}`;
    await launchRedis(port);
    const keyPrefix = createRandomPrefix();
    const a = openCache(url, { keyPrefix, redisTimeoutMs: 50 });
    const b = openCache(url, { keyPrefix, redisTimeoutMs: 1_000 });
    await a.get("organizations", ORG, "warm", async () => "v");

    const blocker = new Redis(url);
    cleanups.push(async () => blocker.disconnect());
    // Redis holds every command for 1.5 s, as an overloaded server would.
    await blocker.call("CLIENT", "PAUSE", "1500", "ALL");
    expect(await measureSlowestCall(a, "slow", 20)).toBeLessThan(CONNECT_TIMEOUT_MS);
    expect(a.recorded.warnings).toHaveLength(1);
    expect(a.recorded.warnings[0]?.obj).toMatchObject({ err: expect.stringMatching(/did not answer/) });

    let attempt = 0;
    await pollUntil(
      async () => {
        attempt += 1;
        const key = `recovered-${attempt}`;
        await a.get("organizations", ORG, key, async () => "fresh");
        return (await b.getWithSource("organizations", ORG, key, async () => "fresh")).source === "l2";
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    await pollUntil(() => a.recorded.infos.length === 1);
    expect(a.recorded.warnings).toHaveLength(1);
  });
});
