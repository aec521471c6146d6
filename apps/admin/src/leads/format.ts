/** How the leads pages word a lead: plain functions, tested without a browser. */
import type { Lead, LeadStatus } from "../api/types";
import { wordsOf } from "../shared/format";

/** Every status, in the order a lead climbs them; the record makes the compiler ask for a new one. */
const STATUSES: Record<LeadStatus, { label: string; tone: "plain" | "accent" | "good" | "danger" }> = {
  new: { label: "New", tone: "plain" },
  engaged: { label: "Engaged", tone: "accent" },
  qualified: { label: "Qualified", tone: "good" },
  hot: { label: "Hot", tone: "danger" },
};

export const LEAD_STATUSES = Object.keys(STATUSES) as LeadStatus[];

export function statusLabel(status: LeadStatus): string {
  return STATUSES[status].label;
}

export function statusTone(status: LeadStatus) {
  return STATUSES[status].tone;
}

/** A status named in the URL (`?status=hot`), or none (every status) for anything else. */
export function parseStatus(value: string | string[] | undefined): LeadStatus | null {
  const text = Array.isArray(value) ? value[0] : value;
  return LEAD_STATUSES.find((s) => s === text) ?? null;
}

type Contact = Lead["contact"];

/** What to call a lead: its name, else its email, else its company, else that nobody said. */
export function leadName(contact: Contact): string {
  return contact.name?.trim() || contact.email?.trim() || contact.company?.trim() || "Anonymous visitor";
}

const CONTACT_FIELDS: readonly { key: keyof Contact; label: string }[] = [
  { key: "name", label: "Name" },
  { key: "email", label: "Email" },
  { key: "phone", label: "Phone" },
  { key: "company", label: "Company" },
  { key: "jobTitle", label: "Job title" },
];

const SIGNAL_FIELDS: readonly { key: keyof Lead["signals"]; label: string }[] = [
  { key: "budget", label: "Budget" },
  { key: "timeline", label: "Timeline" },
  { key: "teamSize", label: "Team size" },
  { key: "need", label: "Need" },
];

/** The contact details and qualification signals the visitor gave, in a fixed order, the missing ones left out. */
export function contactFacts(contact: Contact): { label: string; value: string }[] {
  return CONTACT_FIELDS.flatMap(({ key, label }) => (contact[key]?.trim() ? [{ label, value: contact[key]!.trim() }] : []));
}

export function signalFacts(signals: Lead["signals"]): { label: string; value: string }[] {
  return SIGNAL_FIELDS.flatMap(({ key, label }) => (signals[key]?.trim() ? [{ label, value: signals[key]!.trim() }] : []));
}

/** "+20" / "−5": a factor's points with their sign. */
export function formatPoints(points: number): string {
  if (points > 0) return `+${points}`;
  if (points < 0) return `−${-points}`;
  return "0";
}

/** A scoring factor's name as the scorer writes it ("workEmail") in words: "Work email". */
export const factorLabel = wordsOf;
