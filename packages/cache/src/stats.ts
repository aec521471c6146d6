import { LRUCache } from "lru-cache";
import type { CacheLog } from "./options";

export type NamespaceStats = { l1Hits: number; l2Hits: number; misses: number; errors: number };
export type CacheStats = Record<string, NamespaceStats>;

export function createCounters(namespaces: Iterable<string>) {
  const counts = new Map<string, NamespaceStats>();
  for (const namespace of namespaces) counts.set(namespace, { l1Hits: 0, l2Hits: 0, misses: 0, errors: 0 });

  return {
    count(namespace: string, counter: keyof NamespaceStats): void {
      const stats = counts.get(namespace);
      if (stats) stats[counter] += 1;
    },

    /** A copy, so a caller exporting the numbers cannot change them. */
    snapshot(): CacheStats {
      return Object.fromEntries([...counts].map(([namespace, stats]) => [namespace, { ...stats }]));
    },
  };
}

export type BadValue = { namespace: string; organizationId: string; key: string; layer: "l2" | "l3"; reason: string };

/** One warning per key per interval: a corrupt hot key would otherwise log on every request. */
export function createBadValueReporter(log: CacheLog, intervalMs = 60_000) {
  const recentlyReported = new LRUCache<string, true>({ max: 1_000, ttl: intervalMs });
  return (badValue: BadValue): void => {
    const id = `${badValue.layer}:${badValue.namespace}:${badValue.organizationId}:${badValue.key}`;
    if (recentlyReported.has(id)) return;
    recentlyReported.set(id, true);
    const message = badValue.layer === "l2" ? "ignoring a cached value that does not decode" : "not caching a loaded value that does not encode";
    log.warn(badValue, message);
  };
}
