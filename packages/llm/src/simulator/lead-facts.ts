import type { Facts } from "./facts";
import { gatherFacts } from "./script";

/** The script's facts plus a few a lead-scoring schema tends to ask for but the script never does. */
export type LeadFacts = Facts & { jobTitle?: string; teamSize?: string; need?: string };
type LeadFact = keyof LeadFacts;

// Acronyms must be upper case: "cto" in a sentence is more likely a typo than a title.
const TITLE_ACRONYM = /\b(?:CEO|CTO|CFO|COO|CMO|CRO|CIO|CISO|VP)\b/;
const TITLE_PHRASE =
  /\b(?:I'm|I am|I’m|as|my role is|my title is|work as)\s+(?:the\s+|a\s+|an\s+)?((?:co-?)?founder|owner|president|(?:vp|head|director)\s+of\s+[\w&]+|[\w-]+\s+(?:manager|engineer|lead|director|officer|consultant))\b/i;
// "we have 3 weeks" is a timeline, not a team: a unit after the number rules it out.
const TEAM_SIZE =
  /\b(?:team of|we are|we're|we have)\s+(?:about\s+|around\s+|roughly\s+)?(\d[\d,]*)\b(?!\s*(?:days?|weeks?|months?|years?|k\b|m\b|%|[$€£]))|\b(\d[\d,]*)\+?\s*(?:people|employees|staff|engineers|developers|reps|agents|seats|users|-person)\b/i;
const NEED =
  /\b(?:need|needs|looking for|interested in|want|wants|searching for)\s+(?:a\s+|an\s+|some\s+)?([^.!?;]{3,80})/i;

/** Facts from the visitor's messages; the first mention of each wins, as in the sales script. */
export function gatherLeadFacts(userTexts: readonly string[]): LeadFacts {
  const facts: LeadFacts = { ...gatherFacts(userTexts).known };
  for (const text of userTexts) {
    facts.jobTitle ??= readJobTitle(text);
    facts.teamSize ??= readFirstGroup(TEAM_SIZE, text);
    facts.need ??= readFirstGroup(NEED, text);
  }
  return facts;
}

// Property names, lower-cased without separators, that ask for a fact: job_title, jobTitle and "Job Title" alike.
const ALIASES: Record<string, LeadFact> = {
  name: "name",
  fullname: "name",
  contactname: "name",
  visitorname: "name",
  leadname: "name",
  customername: "name",
  email: "email",
  emailaddress: "email",
  company: "company",
  companyname: "company",
  organization: "company",
  organisation: "company",
  org: "company",
  employer: "company",
  business: "company",
  budget: "budget",
  timeline: "timeline",
  timeframe: "timeline",
  starttime: "timeline",
  startdate: "timeline",
  when: "timeline",
  jobtitle: "jobTitle",
  title: "jobTitle",
  role: "jobTitle",
  position: "jobTitle",
  teamsize: "teamSize",
  companysize: "teamSize",
  headcount: "teamSize",
  employees: "teamSize",
  seats: "teamSize",
  need: "need",
  needs: "need",
  usecase: "need",
  requirement: "need",
  requirements: "need",
  interest: "need",
  painpoint: "need",
};

// Words distinctive enough that any property containing them asks for that fact: "estimatedBudget", "workEmail".
const CONTAINED: Array<[string, LeadFact]> = [
  ["email", "email"],
  ["budget", "budget"],
  ["timeline", "timeline"],
  ["company", "company"],
  ["jobtitle", "jobTitle"],
  ["teamsize", "teamSize"],
];

/** The fact a schema property asks for, judged by its name; undefined when unknown. */
export function findFactFor(property: string, facts: LeadFacts): string | undefined {
  const key = property.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (key === "firstname") return facts.name?.split(/\s+/)[0];
  if (key === "lastname" || key === "surname") return facts.name?.split(/\s+/).slice(1).join(" ") || undefined;
  const fact = ALIASES[key] ?? CONTAINED.find(([word]) => key.includes(word))?.[1];
  return fact ? facts[fact] : undefined;
}

/**
 * "$20k" → 20000, "1.5 million" → 1500000, "12" → 12; commas are thousands
 * separators. Digits glued to letters ("Q3", "v2") are not an amount.
 */
export function readAmount(text: string): number | undefined {
  const match = /(?<![\p{L}\d.,])(\d[\d,]*(?:\.\d+)?)\s*(k|m|thousand|million)?\b/iu.exec(text);
  if (!match?.[1]) return undefined;
  const amount = Number.parseFloat(match[1].replace(/,/g, ""));
  const unit = match[2]?.toLowerCase();
  const scale = unit === "k" || unit === "thousand" ? 1_000 : unit === "m" || unit === "million" ? 1_000_000 : 1;
  return Number.isFinite(amount) ? amount * scale : undefined;
}

function readJobTitle(text: string): string | undefined {
  return TITLE_PHRASE.exec(text)?.[1] ?? TITLE_ACRONYM.exec(text)?.[0];
}

function readFirstGroup(pattern: RegExp, text: string): string | undefined {
  const match = pattern.exec(text);
  const value = match?.slice(1).find((group) => group !== undefined);
  return value?.trim().replace(/[\s.,!?;:]+$/, "") || undefined;
}
