import { sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import type { requestTimings } from "@leadline/db/schema";

import { recordsOf } from "./batch-sql";
import { createFlushTimer } from "./flush-timer";

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
  const timer = createFlushTimer(() => flush(), options.flushMs);
  const schedule = timer.schedule;

  function flush(): Promise<void> {
    timer.cancel();
    flushing = flushing.then(async () => {
      const rows = [...retry, ...buffer];
      const wasRetry = retry.length;
      buffer = [];
      retry = [];
      if (rows.length === 0) return;
      try {
        await insertTimings(db, rows);
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
      await insertTimings(db, [row]);
    },
    flush,
    async stop() {
      await flush();
    },
  };
}

export type TimingsWriter = ReturnType<typeof createTimingsWriter>;

/** The rows in one statement, as one JSON parameter: building it costs the same for one row or two hundred. */
async function insertTimings(db: Database, rows: readonly TimingRow[]) {
  const records = rows.map((row) => ({
    organization_id: row.organizationId,
    site_id: row.siteId,
    session_id: row.sessionId,
    message_id: row.messageId ?? null,
    time_to_first_token_ms: row.timeToFirstTokenMs ?? null,
    llm_ms: row.llmMs ?? null,
    total_ms: row.totalMs,
    critical_post_ms: row.criticalPostMs ?? null,
    background_lag_ms: row.backgroundLagMs ?? null,
    db_ms: row.dbMs ?? null,
    stages: row.stages ?? [],
    flags: row.flags ?? {},
    complexity: row.complexity ?? null,
    cache_hits: row.cacheHits ?? {},
    outcome: row.outcome ?? "complete",
    error_code: row.errorCode ?? null,
    prompt_tokens: row.promptTokens ?? null,
    completion_tokens: row.completionTokens ?? null,
  }));
  await db.execute(sql`
    insert into request_timings (organization_id, site_id, session_id, message_id, time_to_first_token_ms, llm_ms, total_ms, critical_post_ms,
      background_lag_ms, db_ms, stages, flags, complexity, cache_hits, outcome, error_code, prompt_tokens, completion_tokens)
    select organization_id, site_id, session_id, message_id, time_to_first_token_ms, llm_ms, total_ms, critical_post_ms,
      background_lag_ms, db_ms, stages, flags, complexity, cache_hits, outcome, error_code, prompt_tokens, completion_tokens
    from jsonb_to_recordset(${recordsOf(records)}::jsonb) as r(organization_id uuid, site_id uuid, session_id uuid, message_id uuid,
      time_to_first_token_ms real, llm_ms real, total_ms real, critical_post_ms real, background_lag_ms real, db_ms real,
      stages jsonb, flags jsonb, complexity text, cache_hits jsonb, outcome text, error_code text, prompt_tokens int, completion_tokens int)`);
}
