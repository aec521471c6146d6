import { LRUCache } from "lru-cache";
import type { CacheEntry } from "./codec";

/** L1: this process's memory, bounded by entries and, when asked, by approximate bytes. */
export function createMemoryLayer({ maxEntries, maxBytes }: { maxEntries: number; maxBytes?: number }) {
  const lru = new LRUCache<string, CacheEntry>({
    max: maxEntries,
    ...(maxBytes === undefined ? {} : { maxSize: maxBytes, sizeCalculation: (entry: CacheEntry) => Math.max(1, entry.size) }),
  });

  return {
    read: (key: string): CacheEntry | undefined => lru.get(key),

    write(key: string, entry: CacheEntry, ttlMs: number): void {
      lru.set(key, entry, { ttl: ttlMs });
    },

    remove(key: string): void {
      lru.delete(key);
    },

    removeByPrefix(prefix: string): void {
      // Collected first: deleting while walking the LRU's list would skip entries.
      const doomed = [...lru.keys()].filter((key) => key.startsWith(prefix));
      for (const key of doomed) lru.delete(key);
    },
  };
}

export type MemoryLayer = ReturnType<typeof createMemoryLayer>;
