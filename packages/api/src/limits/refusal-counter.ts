import { sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { refusalCounts } from "@leadline/db/schema";
import { createFlushTimer } from "@leadline/pipeline/flush-timer";

import type { RefusalReason } from "../errors";

type Logger = { warn(obj: object, msg?: string): void };

const FLUSH_EVERY_MS = 5_000;
/** Minutes kept in memory while the database is away; older counts are dropped (and said so). */
const MAX_PENDING_KEYS = 10_000;

/**
 * Counts refused chat calls in memory and adds them to refusal_counts a few
 * seconds after the first one pending, one upsert for everything pending:
 * refusals are what a flood is made of, so counting one must cost no round
 * trip. Nothing runs while nothing is pending.
 */
export function createRefusalCounter(db: Database, log: Logger) {
  let pending = new Map<string, { siteId: string; organizationId: string; minute: Date; reason: RefusalReason; count: number }>();

  const timer = createFlushTimer(() => flush(), FLUSH_EVERY_MS);
  const schedule = timer.schedule;

  async function flush(): Promise<void> {
    timer.cancel();
    if (pending.size === 0) return;
    const rows = [...pending.values()];
    pending = new Map();
    try {
      await db
        .insert(refusalCounts)
        .values(rows)
        .onConflictDoUpdate({ target: [refusalCounts.siteId, refusalCounts.minute, refusalCounts.reason], set: { count: sql`${refusalCounts.count} + excluded.count` } });
    } catch (error) {
      // Put them back for the next flush, unless the database has been away too long to keep everything.
      for (const row of rows) if (pending.size < MAX_PENDING_KEYS) add(row.siteId, row.organizationId, row.reason, row.count, row.minute);
      log.warn({ err: error, rows: rows.length }, "could not record refusal counts; will retry");
      if (pending.size) schedule();
    }
  }

  function add(siteId: string, organizationId: string, reason: RefusalReason, count: number, minute: Date) {
    const key = `${siteId}:${minute.getTime()}:${reason}`;
    const row = pending.get(key);
    if (row) row.count += count;
    else pending.set(key, { siteId, organizationId, minute, reason, count });
  }

  return {
    count(site: { siteId: string; organizationId: string }, reason: RefusalReason): void {
      const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
      if (pending.size < MAX_PENDING_KEYS) add(site.siteId, site.organizationId, reason, 1, minute);
      schedule();
    },
    flush,
    async stop(): Promise<void> {
      await flush();
    },
  };
}

export type RefusalCounter = ReturnType<typeof createRefusalCounter>;
