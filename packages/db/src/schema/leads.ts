import { index, integer, jsonb, pgEnum, pgTable, uuid } from "drizzle-orm/pg-core";

import { chatSessions, visitors } from "./chat";
import { createdAt, id, organizationId, updatedAt } from "./columns";
import { sites } from "./tenancy";

export const leadStatus = pgEnum("lead_status", ["new", "engaged", "qualified", "hot"]);

export type ContactInfo = {
  name?: string;
  email?: string;
  phone?: string;
  company?: string;
  jobTitle?: string;
};

export type QualificationSignals = {
  budget?: string;
  timeline?: string;
  teamSize?: string;
  need?: string;
};

export type ScoreBreakdown = { factor: string; points: number; reason: string }[];

export const leads = pgTable(
  "leads",
  {
    id: id(),
    organizationId: organizationId(),
    siteId: uuid("site_id")
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    sessionId: uuid("session_id")
      .notNull()
      .unique("leads_session_key")
      .references(() => chatSessions.id, { onDelete: "cascade" }),
    visitorId: uuid("visitor_id").references(() => visitors.id, { onDelete: "set null" }),
    status: leadStatus("status").notNull().default("new"),
    score: integer("score").notNull().default(0),
    scoreBreakdown: jsonb("score_breakdown").$type<ScoreBreakdown>().notNull().default([]),
    contactInfo: jsonb("contact_info").$type<ContactInfo>().notNull().default({}),
    signals: jsonb("signals").$type<QualificationSignals>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // The plan's (session_id, status) index is built CONCURRENTLY in migrations/concurrent.
  (t) => [index("leads_org_updated_idx").on(t.organizationId, t.updatedAt)],
);
