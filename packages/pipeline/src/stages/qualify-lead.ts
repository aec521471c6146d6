import { sql } from "drizzle-orm";

import type { ContactInfo, QualificationSignals } from "@leadline/db/schema";
import { organizationIdOf } from "@leadline/db/tenant";

import { recordsOf } from "../batch-sql";
import { scoreLead } from "../domain/index";
import { byOrganization, type BatchableStage } from "../runner";
import type { StageContext, StageState } from "../stage";
import { lockLeadsOfSessions } from "./lead-rows";

const RANK = { new: 0, engaged: 1, qualified: 2, hot: 3 } as const;

type LeadState = { status: keyof typeof RANK; contact_info: ContactInfo; signals: QualificationSignals };

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
  const organizationId = organizationIdOf(first.facts.organizationId);
  await first.db.transaction(async (tx) => {
    const { leads, userMessages } = await lockLeadsOfSessions(tx, organizationId, ctxs.map((ctx) => ctx.facts.sessionId));
    const current = new Map<string, LeadState>([...leads].map(([session, lead]) => [session, lead as LeadState]));
    type Scored = { ctx: StageContext; events: string[]; contact: ContactInfo; signals: QualificationSignals } & ReturnType<typeof scoreLead>;
    const scored: Scored[] = [];
    const latest = new Map<string, Scored>();
    for (const ctx of [...ctxs].sort((a, b) => a.facts.reply.committedAt - b.facts.reply.committedAt)) {
      const { facts } = ctx;
      const before = current.get(facts.sessionId);
      const contact: ContactInfo = { ...before?.contact_info, ...ctx.state.entities?.contact };
      const signals = { ...before?.signals, ...ctx.state.entities?.signals };
      const lead = scoreLead({ contact, signals, userMessageCount: userMessages.get(facts.sessionId) ?? 0 }, facts.qualification);
      const result = { ctx, events: eventsOf(before, contact, lead.status), contact, signals, ...lead };
      current.set(facts.sessionId, { status: lead.status, contact_info: contact, signals });
      latest.set(facts.sessionId, result);
      scored.push(result);
    }

    const rows = [...latest.values()].map(({ ctx: { facts }, status, score, breakdown, contact, signals }) => ({
      site_id: facts.siteId,
      session_id: facts.sessionId,
      visitor_id: facts.visitorId,
      status,
      score,
      score_breakdown: breakdown,
      contact_info: contact,
      signals,
    }));
    const stored = await tx.execute<{ id: string; session_id: string }>(sql`
      insert into leads (organization_id, site_id, session_id, visitor_id, status, score, score_breakdown, contact_info, signals)
      select ${organizationId}, site_id, session_id, visitor_id, status::lead_status, score, score_breakdown, contact_info, signals
      from jsonb_to_recordset(${recordsOf(rows)}::jsonb)
        as r(site_id uuid, session_id uuid, visitor_id uuid, status text, score int, score_breakdown jsonb, contact_info jsonb, signals jsonb)
      on conflict (session_id) do update set status = excluded.status, score = excluded.score, score_breakdown = excluded.score_breakdown,
        contact_info = excluded.contact_info, signals = excluded.signals, updated_at = now()
      returning id, session_id`);
    const leadOf = new Map(stored.map((lead) => [lead.session_id, lead.id]));

    const events = scored.flatMap(({ ctx: { facts }, events: types, score, status, contact }) =>
      types.map((type) => ({ type, message_id: facts.reply.id, payload: { leadId: leadOf.get(facts.sessionId), sessionId: facts.sessionId, score, status, contact } })),
    );
    if (events.length) {
      await tx.execute(sql`
        insert into outbox_events (organization_id, type, message_id, payload)
        select ${organizationId}, type, message_id, payload from jsonb_to_recordset(${recordsOf(events)}::jsonb) as r(type text, message_id uuid, payload jsonb)`);
    }
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
  const hadContact = Boolean(before?.contact_info.email || before?.contact_info.phone);
  if (!hadContact && (contact.email || contact.phone)) events.push("lead.captured");
  const rank = before ? RANK[before.status] : 0;
  if (rank < RANK.qualified && RANK[status] >= RANK.qualified) events.push("lead.qualified");
  if (rank < RANK.hot && status === "hot") events.push("lead.hot");
  return events;
}
