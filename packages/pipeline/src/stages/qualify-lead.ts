import { and, count, eq, sql } from "drizzle-orm";

import { chatMessages, leads, outboxEvents, type ContactInfo } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { scoreLead } from "../domain/index";
import type { Stage } from "../stage";

const RANK = { new: 0, engaged: 1, qualified: 2, hot: 3 } as const;

/**
 * Scores the lead (0–100 with a breakdown) and upserts it with its contact
 * details; the lead.* events it causes go to the outbox in the same
 * transaction. Re-running it (a retried job) changes nothing and emits nothing new.
 */
export const qualifyLeadStage: Stage = {
  name: "qualify-lead",
  flag: "pipeline.background",
  modes: ["inline", "parallel", "background"],
  after: ["extract-entities"],
  neededFrom: "moderate",
  reads: ["leads", "chat_messages"],
  writes: ["leads", "outbox_events"],
  timeoutMs: 2_000,
  async run(ctx) {
    const { facts } = ctx;
    await ctx.db.transaction(async (tx) => {
      // Both reads go out together: pipelined on the transaction's connection, one round trip.
      const [[existing], [{ n } = { n: 0 }]] = await Promise.all([
        tx.select().from(leads).where(scopedTo(facts.organizationId, leads, eq(leads.sessionId, facts.sessionId))).for("update"),
        tx
          .select({ n: count() })
          .from(chatMessages)
          .where(scopedTo(facts.organizationId, chatMessages, and(eq(chatMessages.sessionId, facts.sessionId), eq(chatMessages.role, "user")))),
      ]);
      const contact: ContactInfo = { ...existing?.contactInfo, ...ctx.state.entities?.contact };
      const signals = { ...existing?.signals, ...ctx.state.entities?.signals };
      const scored = scoreLead({ contact, signals, userMessageCount: n }, facts.qualification);

      const [lead] = await tx
        .insert(leads)
        .values({
          organizationId: facts.organizationId,
          siteId: facts.siteId,
          sessionId: facts.sessionId,
          visitorId: facts.visitorId,
          status: scored.status,
          score: scored.score,
          scoreBreakdown: scored.breakdown,
          contactInfo: contact,
          signals,
        })
        .onConflictDoUpdate({
          target: leads.sessionId,
          set: { status: scored.status, score: scored.score, scoreBreakdown: scored.breakdown, contactInfo: contact, signals, updatedAt: sql`now()` },
        })
        .returning({ id: leads.id });
      if (!lead) throw new Error("lead was not stored");

      const events: string[] = [];
      const hadContact = Boolean(existing?.contactInfo.email || existing?.contactInfo.phone);
      if (!hadContact && (contact.email || contact.phone)) events.push("lead.captured");
      const before = existing ? RANK[existing.status] : 0;
      if (before < RANK.qualified && RANK[scored.status] >= RANK.qualified) events.push("lead.qualified");
      if (before < RANK.hot && scored.status === "hot") events.push("lead.hot");
      if (events.length) {
        await tx.insert(outboxEvents).values(
          events.map((type) => ({
            organizationId: facts.organizationId,
            type,
            messageId: facts.reply.id,
            payload: { leadId: lead.id, sessionId: facts.sessionId, score: scored.score, status: scored.status, contact },
          })),
        );
      }
      ctx.state.lead = { id: lead.id, score: scored.score, status: scored.status, breakdown: scored.breakdown, contact, events };
    });
  },
};
