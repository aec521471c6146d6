import { sql } from "drizzle-orm";

import { recordsOf } from "../batch-sql";
import type { BatchableStage } from "../runner";
import type { StageContext } from "../stage";

/** An audit entry for every answer the assistant gave on the organization's behalf. */
export const writeAuditStage: BatchableStage = {
  name: "write-audit",
  flag: "pipeline.background",
  modes: ["inline", "parallel", "background"],
  after: [],
  neededFrom: "simple",
  reads: ["audit_log"],
  writes: ["audit_log"],
  timeoutMs: 1_000,
  run: (ctx) => writeAudit([ctx]),
  runBatch: writeAudit,
};

/** One statement for the replies' entries, skipping those already written (a retried job); each row carries its organization. */
async function writeAudit(ctxs: readonly StageContext[]) {
  const [first] = ctxs;
  if (!first) return;
  const rows = ctxs.map(({ facts }) => ({
    organization_id: facts.organizationId,
    target_id: facts.reply.id,
    details: { sessionId: facts.sessionId, model: facts.reply.model, status: facts.reply.status },
  }));
  await first.db.execute(sql`
    insert into audit_log (organization_id, actor_type, action, target_type, target_id, details)
    select r.organization_id, 'visitor', 'chat.reply', 'chat_message', r.target_id, r.details
    from jsonb_to_recordset(${recordsOf(rows)}::jsonb) as r(organization_id uuid, target_id text, details jsonb)
    where not exists (select 1 from audit_log a where a.organization_id = r.organization_id and a.action = 'chat.reply' and a.target_id = r.target_id)`);
}
