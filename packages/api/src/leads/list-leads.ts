import { desc, eq } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { leads } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { notFound } from "../errors";
import { after, decodeCursor, exactTime, pageOf } from "./cursor";

export type LeadStatus = (typeof leads.status.enumValues)[number];

const leadColumns = {
  id: leads.id,
  sessionId: leads.sessionId,
  siteId: leads.siteId,
  visitorId: leads.visitorId,
  status: leads.status,
  score: leads.score,
  scoreBreakdown: leads.scoreBreakdown,
  contact: leads.contactInfo,
  signals: leads.signals,
  createdAt: leads.createdAt,
  updatedAt: leads.updatedAt,
};

type LeadRow = { createdAt: Date; updatedAt: Date };
const present = <T extends LeadRow>(row: T) => ({ ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() });

/** The organization's leads, most recently changed first, optionally of one status. */
export async function listLeads(db: Database, organizationId: string, input: { status?: LeadStatus; limit: number; cursor?: string }) {
  const key = input.cursor ? decodeCursor(input.cursor) : null;
  const rows = await db
    .select({ ...leadColumns, cursorAt: exactTime(leads.updatedAt) })
    .from(leads)
    .where(scopedTo(organizationId, leads, input.status ? eq(leads.status, input.status) : undefined, key ? after(leads.updatedAt, leads.id, key) : undefined))
    .orderBy(desc(leads.updatedAt), desc(leads.id))
    .limit(input.limit + 1);
  const page = pageOf(rows, input.limit, (r) => ({ at: r.cursorAt, id: r.id }));
  return { items: page.items.map(({ cursorAt: _, ...lead }) => present(lead)), nextCursor: page.nextCursor };
}

/** One lead of the organization; another organization's is NOT_FOUND. */
export async function getLead(db: Database, organizationId: string, id: string) {
  const [lead] = await db.select(leadColumns).from(leads).where(scopedTo(organizationId, leads, eq(leads.id, id)));
  if (!lead) throw notFound("Lead");
  return present(lead);
}
