import { and, asc, count, eq, inArray, sql } from "drizzle-orm";

import { chatMessages, leads, outboxEvents, type ContactInfo, type QualificationSignals } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { scoreLead } from "../domain/index";
import { byOrganization, type BatchableStage } from "../runner";
import type { StageContext, StageState } from "../stage";

const RANK = { new: 0, engaged: 1, qualified: 2, hot: 3 } as const;

type LeadState = { status: keyof typeof RANK; contactInfo: ContactInfo; signals: QualificationSignals };

/**
 * Scores the lead (0–100 with a breakdown) and upserts it with its contact
 * details; the lead.* events it causes go to the outbox in the same
 * transaction. Re-running it (a retried job) changes nothing and emits nothing new.
 */
export const qualifyLeadStage: BatchableStage = {
  name: "qualify-lead",
  flag: "pipeline.background",
  modes: ["inline", "parallel", "background"],
  after: ["extract-entities"],
  neededFrom: "moderate",
  reads: ["leads", "chat_messages"],
  writes: ["leads", "outbox_events"],
  timeoutMs: 2_000,
  run: (ctx) => qualifyLeads([ctx]),
  runBatch: (ctxs) => Promise.all([...byOrganization(ctxs)].map(([, group]) => qualifyLeads(group))).then(() => {}),
};

/**
 * The leads of one organization's messages in one transaction: their rows
 * locked and their sessions' user messages counted (two reads, pipelined),
 * each message scored in turn (a session's later message sees what its
 * earlier one made of the lead), then one upsert and one insert of events.
 */
async function qualifyLeads(ctxs: readonly StageContext[]) {
  const [first] = ctxs;
  if (!first) return;
  const organizationId = first.facts.organizationId;
  const sessions = [...new Set(ctxs.map((ctx) => ctx.facts.sessionId))];
  await first.db.transaction(async (tx) => {
    const [existing, counts] = await Promise.all([
      // Locked in one order, so two batches sharing sessions wait for each other instead of deadlocking.
      tx.select().from(leads).where(scopedTo(organizationId, leads, inArray(leads.sessionId, sessions))).orderBy(asc(leads.sessionId)).for("update"),
      tx
        .select({ sessionId: chatMessages.sessionId, n: count() })
        .from(chatMessages)
        .where(scopedTo(organizationId, chatMessages, and(inArray(chatMessages.sessionId, sessions), eq(chatMessages.role, "user"))))
        .groupBy(chatMessages.sessionId),
    ]);
    const userMessages = new Map(counts.map((c) => [c.sessionId, c.n]));
    const current = new Map<string, LeadState>(existing.map((lead) => [lead.sessionId, lead]));
    const latest = new Map<string, { ctx: StageContext; status: LeadState["status"]; score: number; breakdown: ReturnType<typeof scoreLead>["breakdown"]; contact: ContactInfo; signals: QualificationSignals }>();
    const scored: { ctx: StageContext; events: string[]; score: number; status: LeadState["status"]; breakdown: ReturnType<typeof scoreLead>["breakdown"]; contact: ContactInfo }[] = [];
    for (const ctx of [...ctxs].sort((a, b) => a.facts.reply.committedAt - b.facts.reply.committedAt)) {
      const { facts } = ctx;
      const before = current.get(facts.sessionId);
      const contact: ContactInfo = { ...before?.contactInfo, ...ctx.state.entities?.contact };
      const signals = { ...before?.signals, ...ctx.state.entities?.signals };
      const lead = scoreLead({ contact, signals, userMessageCount: userMessages.get(facts.sessionId) ?? 0 }, facts.qualification);
      const events = eventsOf(before, contact, lead.status);
      current.set(facts.sessionId, { status: lead.status, contactInfo: contact, signals });
      latest.set(facts.sessionId, { ctx, status: lead.status, score: lead.score, breakdown: lead.breakdown, contact, signals });
      scored.push({ ctx, events, score: lead.score, status: lead.status, breakdown: lead.breakdown, contact });
    }

    const stored = await tx
      .insert(leads)
      .values(
        [...latest.values()].map(({ ctx: { facts }, status, score, breakdown, contact, signals }) => ({
          organizationId,
          siteId: facts.siteId,
          sessionId: facts.sessionId,
          visitorId: facts.visitorId,
          status,
          score,
          scoreBreakdown: breakdown,
          contactInfo: contact,
          signals,
        })),
      )
      .onConflictDoUpdate({
        target: leads.sessionId,
        set: {
          status: sql`excluded.status`,
          score: sql`excluded.score`,
          scoreBreakdown: sql`excluded.score_breakdown`,
          contactInfo: sql`excluded.contact_info`,
          signals: sql`excluded.signals`,
          updatedAt: sql`now()`,
        },
      })
      .returning({ id: leads.id, sessionId: leads.sessionId });
    const leadOf = new Map(stored.map((lead) => [lead.sessionId, lead.id]));

    const events = scored.flatMap(({ ctx: { facts }, events: types, score, status, contact }) =>
      types.map((type) => ({
        organizationId,
        type,
        messageId: facts.reply.id,
        payload: { leadId: leadOf.get(facts.sessionId), sessionId: facts.sessionId, score, status, contact },
      })),
    );
    if (events.length) await tx.insert(outboxEvents).values(events);
    for (const { ctx, events: types, score, status, breakdown, contact } of scored) {
      const id = leadOf.get(ctx.facts.sessionId);
      if (!id) throw new Error("lead was not stored");
      const lead: NonNullable<StageState["lead"]> = { id, score, status, breakdown, contact, events: types };
      ctx.state.lead = lead;
    }
  });
}

/** The lead.* events a message causes: contact details for the first time, a status reached for the first time. */
function eventsOf(before: LeadState | undefined, contact: ContactInfo, status: LeadState["status"]): string[] {
  const events: string[] = [];
  const hadContact = Boolean(before?.contactInfo.email || before?.contactInfo.phone);
  if (!hadContact && (contact.email || contact.phone)) events.push("lead.captured");
  const rank = before ? RANK[before.status] : 0;
  if (rank < RANK.qualified && RANK[status] >= RANK.qualified) events.push("lead.qualified");
  if (rank < RANK.hot && status === "hot") events.push("lead.hot");
  return events;
}
