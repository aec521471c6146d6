import { eq } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { leads, outboxEvents } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import type { SendEvent } from "@leadline/validators/chat";

import type { Claims } from "./lookups";

/** What the widget may show once background work is done: the lead events this message caused. */
export async function loadEnhancement(db: Database, claims: Claims, messageId: string): Promise<Extract<SendEvent, { type: "enhanced" }> | null> {
  const events = await db
    .select({ type: outboxEvents.type })
    .from(outboxEvents)
    .where(scopedTo(claims.organizationId, outboxEvents, eq(outboxEvents.messageId, messageId)));
  const leadEvents = events.map((e) => e.type).filter((t) => t.startsWith("lead."));
  if (leadEvents.length === 0) return null;
  const [lead] = await db.select().from(leads).where(scopedTo(claims.organizationId, leads, eq(leads.sessionId, claims.sessionId)));
  if (!lead) return null;
  const { name, email, company } = lead.contactInfo;
  return { type: "enhanced", kind: "lead", data: { events: leadEvents, status: lead.status, contact: { name, email, company } } };
}
