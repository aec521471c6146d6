import type { RateLimitStore } from "@leadline/api/limits/rate-limits";
import { closeRedisConnection, openRedisConnection } from "@leadline/cache/redis";
import type { Database } from "@leadline/db/client";

import type { AppLogger } from "./logger";

/**
 * Where chat rate limits are counted: the deployment's Redis when it has one
 * (every instance shares it), else its Postgres. While Redis is down the
 * limiter counts per instance (see limits/rate-limits.ts); the outage is
 * logged once, and its end.
 */
export function openRateLimitStore(redisUrl: string | undefined, db: Database, log: AppLogger): { store: RateLimitStore; close(): Promise<void> } {
  if (!redisUrl) return { store: { kind: "postgres", db }, close: async () => {} };
  let down = false;
  const client = openRedisConnection(redisUrl, {
    connectTimeoutMs: 1_000,
    onError(error) {
      if (down) return;
      down = true;
      log.warn({ err: error }, "rate limits: Redis unreachable, counting per instance until it is back");
    },
  });
  client.on("ready", () => {
    if (down) log.info("rate limits: Redis is back");
    down = false;
  });
  return { store: { kind: "redis", client }, close: () => closeRedisConnection(client, 1_000) };
}
