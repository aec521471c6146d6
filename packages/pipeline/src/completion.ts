import { eq, isNull, sql } from "drizzle-orm";

import type { Database, Sql } from "@leadline/db/client";
import { backgroundRuns, outboxEvents } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import type { StageSpan } from "./runner";

export const BACKGROUND_DONE_CHANNEL = "leadline_background_done";

/**
 * A message's post-processing is finished: its outbox events are processed,
 * the run is recorded, and listeners (the stream waiting to send an
 * "enhanced" event, in any process) are told through Postgres NOTIFY.
 */
export async function completeMessage(
  db: Database,
  sql_: Sql,
  run: { organizationId: string; messageId: string; lagMs: number; spans: StageSpan[]; attempts: number },
) {
  await db.transaction(async (tx) => {
    await tx
      .update(outboxEvents)
      .set({ processedAt: sql`now()` })
      .where(scopedTo(run.organizationId, outboxEvents, eq(outboxEvents.messageId, run.messageId), isNull(outboxEvents.processedAt)));
    const stages = run.spans.map((s) => ({ name: s.name, ms: s.ms, ok: s.ok, ...(s.error ? { error: s.error } : {}) }));
    await tx
      .insert(backgroundRuns)
      .values({ messageId: run.messageId, organizationId: run.organizationId, lagMs: run.lagMs, stages, attempts: run.attempts })
      .onConflictDoUpdate({ target: backgroundRuns.messageId, set: { lagMs: run.lagMs, stages, attempts: run.attempts, completedAt: sql`now()` } });
  });
  await sql_`select pg_notify(${BACKGROUND_DONE_CHANNEL}, ${run.messageId})`;
}

/**
 * The model lane's spans join the message's background run (replacing those
 * of an earlier attempt), each with its lag from the reply's commit.
 */
export async function recordModelLane(db: Database, organizationId: string, messageId: string, spans: StageSpan[], lagMs: number) {
  const runs = spans.map((s) => ({ name: s.name, ms: s.ms, ok: s.ok, lagMs, ...(s.error ? { error: s.error } : {}) }));
  const names = runs.map((r) => r.name);
  if (!names.length) return;
  await db
    .update(backgroundRuns)
    .set({
      stages: sql`(select coalesce(jsonb_agg(e), '[]'::jsonb) from jsonb_array_elements(${backgroundRuns.stages}) e where not (e ->> 'name' in ${names})) || ${JSON.stringify(runs)}::jsonb`,
    })
    .where(scopedTo(organizationId, backgroundRuns, eq(backgroundRuns.messageId, messageId)));
}
