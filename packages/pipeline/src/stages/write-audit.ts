import { and, eq } from "drizzle-orm";

import { auditLog } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import type { Stage } from "../stage";

/** An audit entry for every answer the assistant gave on the organization's behalf. */
export const writeAuditStage: Stage = {
  name: "write-audit",
  flag: "pipeline.background",
  modes: ["inline", "parallel", "background"],
  after: [],
  neededFrom: "simple",
  reads: ["audit_log"],
  writes: ["audit_log"],
  timeoutMs: 1_000,
  async run(ctx) {
    const { facts } = ctx;
    const target = and(eq(auditLog.action, "chat.reply"), eq(auditLog.targetId, facts.reply.id));
    const [done] = await ctx.db.select({ id: auditLog.id }).from(auditLog).where(scopedTo(facts.organizationId, auditLog, target));
    if (done) return; // a retried job
    await ctx.db.insert(auditLog).values({
      organizationId: facts.organizationId,
      actorType: "visitor",
      action: "chat.reply",
      targetType: "chat_message",
      targetId: facts.reply.id,
      details: { sessionId: facts.sessionId, model: facts.reply.model, status: facts.reply.status },
    });
  },
};
