import { and, eq, inArray } from "drizzle-orm";

import { auditLog } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { byOrganization, type BatchableStage } from "../runner";
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
  runBatch: (ctxs) => Promise.all([...byOrganization(ctxs)].map(([organizationId, group]) => writeAudit(group, organizationId))).then(() => {}),
};

/** The entries of one organization's replies: one look for those already written (a retried job), one insert for the rest. */
async function writeAudit(ctxs: readonly StageContext[], organizationId = ctxs[0]?.facts.organizationId) {
  const [first] = ctxs;
  if (!first) return;
  const ids = ctxs.map((ctx) => ctx.facts.reply.id);
  const done = await first.db
    .select({ targetId: auditLog.targetId })
    .from(auditLog)
    .where(scopedTo(organizationId, auditLog, and(eq(auditLog.action, "chat.reply"), inArray(auditLog.targetId, ids))));
  const written = new Set(done.map((row) => row.targetId));
  const rows = ctxs
    .filter((ctx) => !written.has(ctx.facts.reply.id))
    .map(({ facts }) => ({
      organizationId: facts.organizationId,
      actorType: "visitor",
      action: "chat.reply",
      targetType: "chat_message",
      targetId: facts.reply.id,
      details: { sessionId: facts.sessionId, model: facts.reply.model, status: facts.reply.status },
    }));
  if (rows.length) await first.db.insert(auditLog).values(rows);
}
