import { eq, sql } from "drizzle-orm";

import { recordEvent } from "@leadline/db/events";
import { chatSessions, leads, type ContactInfo } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import type { LeaveContactInput } from "@leadline/validators/chat";

import type { Context } from "../context";
import { notFound } from "../errors";
import { admitContactForm } from "../limits/admission";
import { loadSiteLimits } from "../limits/site-limits";
import type { VisitorClaims } from "./session-token";

/**
 * A contact left through the widget's form when the model cannot answer:
 * stored on the session's lead at once (no model, no queue), with a
 * `lead.captured` webhook when the lead had no contact before, so the team
 * hears of it as of any other lead.
 */
export async function leaveContact(ctx: Context, visitor: VisitorClaims, input: LeaveContactInput) {
  const limits = await loadSiteLimits(ctx, visitor.organizationId, visitor.siteId);
  if (!limits) throw notFound("Chat session");
  await admitContactForm(ctx, limits, visitor);

  const deliveries = await ctx.db.transaction(async (tx) => {
    const [session] = await tx
      .select({ visitorId: chatSessions.visitorId })
      .from(chatSessions)
      .where(scopedTo(visitor.organizationId, chatSessions, eq(chatSessions.id, visitor.sessionId), eq(chatSessions.siteId, visitor.siteId)));
    if (!session) throw notFound("Chat session");
    const [existing] = await tx.select().from(leads).where(scopedTo(visitor.organizationId, leads, eq(leads.sessionId, visitor.sessionId))).for("update");
    const contact: ContactInfo = { ...existing?.contactInfo, name: input.name, email: input.email.toLowerCase() };
    const signals = input.note ? { ...existing?.signals, need: input.note } : (existing?.signals ?? {});
    const status = existing && existing.status !== "new" ? existing.status : "engaged";
    const [lead] = await tx
      .insert(leads)
      .values({ organizationId: visitor.organizationId, siteId: visitor.siteId, sessionId: visitor.sessionId, visitorId: session.visitorId, status, contactInfo: contact, signals })
      .onConflictDoUpdate({ target: leads.sessionId, set: { contactInfo: contact, signals, status, updatedAt: sql`now()` } })
      .returning();
    if (!lead) throw new Error("the lead was not stored");
    if (existing?.contactInfo.email || existing?.contactInfo.phone) return [];
    const payload = { leadId: lead.id, sessionId: visitor.sessionId, score: lead.score, status: lead.status, contact, source: "contact_form" };
    return recordEvent(tx, { organizationId: visitor.organizationId, type: "lead.captured", payload });
  });
  // Not handed over (no queue here, or it failed): the worker's relay sends deliveries never attempted.
  for (const d of deliveries) await ctx.pipeline.queue?.sendDeliverWebhook({ deliveryId: d.id, organizationId: d.organizationId }).catch(() => undefined);
  return { captured: true as const };
}
