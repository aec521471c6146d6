import type { ContactInfo, QualificationSettings, QualificationSignals, ScoreBreakdown } from "@leadline/db/schema";

import { parseBudgetSignal } from "./budget";
import { getEmailDomain, parseEmail } from "./email";
import { isFreeMailDomain } from "./free-mail";
import { rateSeniority } from "./job-title";
import type { Seniority } from "./job-title";
import { readTeamSize } from "./signals";
import { rateUrgency } from "./timeline";
import type { Urgency } from "./timeline";

export type LeadStatus = "new" | "engaged" | "qualified" | "hot";

export type ScoreInput = {
  readonly contact: ContactInfo;
  readonly signals: QualificationSignals;
  readonly userMessageCount: number;
};

export type LeadScore = { score: number; breakdown: ScoreBreakdown; status: LeadStatus };

type Entry = ScoreBreakdown[number];

const MAX_SCORE = 100;

/** Points per factor; the factors add up past 100 on purpose, so no single gap blocks "hot". */
export const WEIGHTS = {
  email: 10,
  workEmail: 10,
  phone: 10,
  name: 5,
  company: 10,
  jobTitle: { executive: 15, director: 10, manager: 7, individual: 3 } satisfies Record<Seniority, number>,
  // Annual USD lower bound → points; the first tier reached wins.
  budgetUsdPerYear: [
    { atLeast: 100_000, points: 20 },
    { atLeast: 25_000, points: 15 },
    { atLeast: 5_000, points: 10 },
    { atLeast: 0, points: 5 },
  ],
  budgetOtherCurrency: 10,
  budgetUnreadable: 5,
  noBudget: -5,
  timeline: { urgent: 15, soon: 10, planned: 5, none: -5 } satisfies Record<Urgency, number>,
  teamSize: [
    { atLeast: 201, points: 10 },
    { atLeast: 51, points: 8 },
    { atLeast: 11, points: 5 },
    { atLeast: 1, points: 3 },
  ],
  need: 5,
  engagement: [
    { atLeast: 7, points: 10 },
    { atLeast: 4, points: 7 },
    { atLeast: 2, points: 4 },
    { atLeast: 1, points: 2 },
  ],
} as const;

/**
 * Scores a lead from the facts extracted so far. Every point is explained in the breakdown, and
 * the breakdown always sums to the score (a "cap" or "floor" entry records the clamping).
 */
export function scoreLead(input: ScoreInput, settings: QualificationSettings): LeadScore {
  const entries = [
    ...scoreContact(input.contact),
    ...scoreSignals(input.signals),
    ...scoreEngagement(input.userMessageCount),
  ];
  const total = entries.reduce((sum, entry) => sum + entry.points, 0);
  const score = Math.min(MAX_SCORE, Math.max(0, total));
  if (total > MAX_SCORE) entries.push(explain("cap", score - total, `score is capped at ${MAX_SCORE}`));
  if (total < 0) entries.push(explain("floor", -total, "score cannot go below 0"));
  return { score, breakdown: entries, status: decideStatus(score, input.userMessageCount, settings) };
}

export function decideStatus(score: number, userMessageCount: number, settings: QualificationSettings): LeadStatus {
  if (userMessageCount <= 0) return "new";
  if (score >= settings.hotScore) return "hot";
  if (score >= settings.qualifiedScore) return "qualified";
  return "engaged";
}

function scoreContact(contact: ContactInfo): Entry[] {
  return [
    ...scoreEmail(contact.email),
    ...(isPresent(contact.phone) ? [explain("phone", WEIGHTS.phone, "left a phone number")] : []),
    ...(isPresent(contact.name) ? [explain("name", WEIGHTS.name, "gave their name")] : []),
    ...(isPresent(contact.company) ? [explain("company", WEIGHTS.company, `works at ${contact.company}`)] : []),
    ...(isPresent(contact.jobTitle) ? [scoreJobTitle(contact.jobTitle)] : []),
  ];
}

function scoreEmail(raw: string | undefined): Entry[] {
  const email = raw === undefined ? null : parseEmail(raw);
  if (email === null) return [];
  const domain = getEmailDomain(email);
  return [
    explain("email", WEIGHTS.email, "left an email address"),
    isFreeMailDomain(domain)
      ? explain("workEmail", 0, `${domain} is a free-mail domain`)
      : explain("workEmail", WEIGHTS.workEmail, `work email at ${domain}`),
  ];
}

function scoreJobTitle(title: string): Entry {
  const seniority = rateSeniority(title);
  return explain("jobTitle", WEIGHTS.jobTitle[seniority], `${title} (${seniority} level)`);
}

function scoreSignals(signals: QualificationSignals): Entry[] {
  const teamSize = isPresent(signals.teamSize) ? readTeamSize(signals.teamSize) : null;
  return [
    ...(isPresent(signals.budget) ? [scoreBudget(signals.budget)] : []),
    ...(isPresent(signals.timeline) ? [scoreTimeline(signals.timeline)] : []),
    ...(teamSize !== null ? [explain("teamSize", pickTier(WEIGHTS.teamSize, teamSize), `team of ${signals.teamSize}`)] : []),
    ...(isPresent(signals.need) ? [explain("need", WEIGHTS.need, "described what they need")] : []),
  ];
}

function scoreTimeline(timeline: string): Entry {
  const urgency = rateUrgency(timeline);
  return explain("timeline", WEIGHTS.timeline[urgency], `timeline "${timeline}" (${urgency})`);
}

function scoreBudget(budget: string): Entry {
  const signal = parseBudgetSignal(budget);
  if (signal === null) return explain("budget", WEIGHTS.budgetUnreadable, `budget "${budget}" stated`);
  if (signal.kind === "none") return explain("budget", WEIGHTS.noBudget, "no budget yet");
  if (signal.currency !== undefined && signal.currency !== "USD") {
    return explain("budget", WEIGHTS.budgetOtherCurrency, `budget ${budget} (not converted from ${signal.currency})`);
  }
  // A monthly budget is compared by its yearly total; a one-off amount as it is.
  const perYear = signal.period === "month" ? signal.min * 12 : signal.min;
  const notes = [
    ...(signal.currency === undefined ? ["currency not stated, read as USD"] : []),
    ...(signal.period === "month" ? [`≈ $${perYear.toLocaleString("en-US")} a year`] : []),
  ];
  const reason = notes.length === 0 ? `budget ${budget}` : `budget ${budget} (${notes.join("; ")})`;
  return explain("budget", pickTier(WEIGHTS.budgetUsdPerYear, perYear), reason);
}

function scoreEngagement(userMessageCount: number): Entry[] {
  if (userMessageCount <= 0) return [];
  const plural = userMessageCount === 1 ? "" : "s";
  const points = pickTier(WEIGHTS.engagement, userMessageCount);
  return [explain("engagement", points, `${userMessageCount} message${plural} from the visitor`)];
}

function explain(factor: string, points: number, reason: string): Entry {
  return { factor, points, reason };
}

function pickTier(tiers: readonly { atLeast: number; points: number }[], value: number): number {
  return tiers.find((tier) => value >= tier.atLeast)?.points ?? 0;
}

function isPresent(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}
