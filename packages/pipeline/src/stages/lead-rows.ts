import { sql } from "drizzle-orm";

import type { Executor } from "@leadline/db/client";
import type { ContactInfo, QualificationSignals } from "@leadline/db/schema";

import { uuidArray } from "../batch-sql";

/** A session's lead as the scoring stages read it. */
export type LeadRow = { id: string; session_id: string; status: string; contact_info: ContactInfo; signals: QualificationSignals };

/**
 * The leads of a batch's sessions, locked for the transaction (in one order,
 * so two batches sharing sessions wait for each other instead of
 * deadlocking), and how many messages each session's visitor has sent.
 */
export async function lockLeadsOfSessions(tx: Executor, organizationId: string, sessionIds: string[]) {
  const sessions = uuidArray([...new Set(sessionIds)]);
  const [existing, counts] = await Promise.all([
    tx.execute<LeadRow>(sql`
      select id, session_id, status, contact_info, signals from leads
      where organization_id = ${organizationId} and session_id = any(${sessions}::uuid[])
      order by session_id for update`),
    tx.execute<{ session_id: string; n: number }>(sql`
      select session_id, count(*)::int as n from chat_messages
      where organization_id = ${organizationId} and session_id = any(${sessions}::uuid[]) and role = 'user'
      group by session_id`),
  ]);
  return {
    leads: new Map(existing.map((lead) => [lead.session_id, lead])),
    userMessages: new Map(counts.map((c) => [c.session_id, c.n])),
  };
}
