import type { Sql } from "@leadline/db/client";

import type { StageSpan } from "./runner";

export const BACKGROUND_DONE_CHANNEL = "leadline_background_done";

export type FinishedRun = { organizationId: string; messageId: string; lagMs: number; spans: StageSpan[]; attempts: number };

/** One message's post-processing is finished (see completeMessages). */
export async function completeMessage(sql_: Sql, run: FinishedRun) {
  await completeMessages(sql_, [run]);
}

/**
 * Messages' post-processing is finished: their outbox events are processed,
 * their runs recorded, and listeners (the stream waiting to send an
 * "enhanced" event, in any process) are told through Postgres NOTIFY — for
 * the whole batch in one statement: one round trip, atomic, the
 * notifications sent on commit.
 */
export async function completeMessages(sql_: Sql, runs: readonly FinishedRun[]) {
  // One row per message: a statement's upsert may not touch a row twice.
  const unique = [...new Map(runs.map((run) => [run.messageId, run])).values()];
  if (!unique.length) return;
  const rows = unique.map((run) => ({
    message_id: run.messageId,
    organization_id: run.organizationId,
    lag_ms: run.lagMs,
    attempts: run.attempts,
    stages: run.spans.map((s) => ({ name: s.name, ms: s.ms, ok: s.ok, ...(s.error ? { error: s.error } : {}) })),
  }));
  await sql_`
    with runs as (
      -- JSON text cast here: drizzle turns postgres.js's own json serializer off on this client.
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(message_id uuid, organization_id uuid, lag_ms real, attempts int, stages jsonb)
    ), processed as (
      update outbox_events o set processed_at = now()
      from runs r
      where o.organization_id = r.organization_id and o.message_id = r.message_id and o.processed_at is null
      returning o.id
    ), recorded as (
      insert into background_runs (message_id, organization_id, lag_ms, stages, attempts)
      select message_id, organization_id, lag_ms, stages, attempts from runs
      -- A repeated run keeps what the model lane (the entries with a lagMs) already added.
      on conflict (message_id) do update set lag_ms = excluded.lag_ms, attempts = excluded.attempts, completed_at = now(),
        stages = excluded.stages || coalesce((select jsonb_agg(e) from jsonb_array_elements(background_runs.stages) e where e ? 'lagMs'), '[]'::jsonb)
      returning message_id
    )
    select pg_notify(${BACKGROUND_DONE_CHANNEL}, message_id::text), (select count(*) from processed) as processed from recorded`;
}

/**
 * The model lanes' spans join their messages' background runs (replacing
 * those of an earlier attempt), each with its lag from the reply's commit:
 * one statement for all of them.
 */
export async function recordModelLanes(sql_: Sql, lanes: readonly { organizationId: string; messageId: string; spans: StageSpan[]; lagMs: number }[]) {
  const rows = lanes
    .filter((lane) => lane.spans.length)
    .map((lane) => ({
      message_id: lane.messageId,
      organization_id: lane.organizationId,
      names: lane.spans.map((s) => s.name),
      runs: lane.spans.map((s) => ({ name: s.name, ms: s.ms, ok: s.ok, lagMs: lane.lagMs, ...(s.error ? { error: s.error } : {}) })),
    }));
  if (!rows.length) return;
  await sql_`
    with lanes as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as l(message_id uuid, organization_id uuid, names jsonb, runs jsonb)
    )
    update background_runs b
    set stages = (select coalesce(jsonb_agg(e), '[]'::jsonb) from jsonb_array_elements(b.stages) e where not (l.names ? (e ->> 'name'))) || l.runs
    from lanes l
    where b.organization_id = l.organization_id and b.message_id = l.message_id`;
}
