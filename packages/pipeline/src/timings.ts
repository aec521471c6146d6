import type { Database } from "@leadline/db/client";
import { requestTimings } from "@leadline/db/schema";

export type TimingRow = typeof requestTimings.$inferInsert;

/**
 * Request timings, written in batches off the visitor's path: rows collect
 * in memory and go to Postgres in one insert flushMs after the first of
 * them (or at maxBatch rows); nothing runs while there is nothing to write.
 * A failed flush is retried once with the next batch, then dropped with a
 * warning: timings are measurements, never worth blocking a reply.
 */
export function createTimingsWriter(db: Database, log: { warn(obj: object, msg?: string): void }, options = { flushMs: 200, maxBatch: 200 }) {
  let buffer: TimingRow[] = [];
  let retry: TimingRow[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  function schedule() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, options.flushMs);
    timer.unref();
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    flushing = flushing.then(async () => {
      const rows = [...retry, ...buffer];
      const wasRetry = retry.length;
      buffer = [];
      retry = [];
      if (rows.length === 0) return;
      try {
        await db.insert(requestTimings).values(rows);
      } catch (error) {
        if (wasRetry) log.warn({ err: error, dropped: wasRetry }, "dropping request timings after a second failed write");
        retry = rows.slice(wasRetry);
        if (!wasRetry) log.warn({ err: error, rows: rows.length }, "request timings write failed; retrying with the next batch");
        if (retry.length) schedule();
      }
    });
    return flushing;
  }

  return {
    add(row: TimingRow) {
      buffer.push(row);
      if (buffer.length >= options.maxBatch) void flush();
      else schedule();
    },
    /** The baseline writes its row before answering: the plan's original, inline. */
    async writeNow(row: TimingRow) {
      await db.insert(requestTimings).values(row);
    },
    flush,
    async stop() {
      await flush();
    },
  };
}

export type TimingsWriter = ReturnType<typeof createTimingsWriter>;
