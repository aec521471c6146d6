import { capText } from "./text";

export const NO_TIMELINE = "no timeline";

/** How soon a timeline lands: urgent ≈ within a month, soon ≈ within a quarter. */
export type Urgency = "urgent" | "soon" | "planned" | "none";

type Rule = { readonly pattern: RegExp; readonly normalise: (match: RegExpExecArray) => string | null };

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, couple: 2, "couple of": 2, few: 3, "few of": 3,
};
const MONTHS = [
  "january", "february", "march", "april", "may", "june", "july", "august", "september",
  "october", "november", "december",
];
const UNIT_DAYS: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };
const QUARTER_WORDS: Record<string, string> = { first: "Q1", second: "Q2", third: "Q3", fourth: "Q4" };

const COUNT = String.raw`(\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:a )?couple(?: of)?|(?:a )?few)`;
const MONTH_NAMES = String.raw`(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)`;

// Concrete timelines; the earliest one in the message wins.
const RULES: readonly Rule[] = [
  { pattern: /\b(?:asap|as soon as possible|immediately|right away|(?<!not )urgent(?:ly)?)\b/giu, normalise: () => "asap" },
  { pattern: /\b(?:by (?:today|tomorrow)|this week)\b/giu, normalise: () => "this week" },
  { pattern: /\bnext week\b/giu, normalise: () => "next week" },
  { pattern: /\b(?:this month|(?:by )?(?:the )?end of (?:the |this )?month)\b/giu, normalise: () => "this month" },
  { pattern: /\bnext month\b/giu, normalise: () => "next month" },
  { pattern: /\b(?:this quarter|(?:by )?(?:the )?end of (?:the |this )?quarter)\b/giu, normalise: () => "this quarter" },
  { pattern: /\bnext quarter\b/giu, normalise: () => "next quarter" },
  {
    pattern: new RegExp(String.raw`\b(?:in|within|over) (?:the )?(?:next )?${COUNT} (day|week|month|year)s?\b`, "giu"),
    normalise: ([, count, unit]) => formatSpan(count, unit),
  },
  {
    pattern: new RegExp(String.raw`\b${COUNT} (day|week|month|year)s? from now\b`, "giu"),
    normalise: ([, count, unit]) => formatSpan(count, unit),
  },
  { pattern: /\bq([1-4])(?:\s?'?((?:20)?\d{2}))?\b/giu, normalise: ([, quarter, year]) => appendYear(`Q${quarter}`, year) },
  {
    pattern: /\b(first|second|third|fourth) quarter\b/giu,
    normalise: ([, ordinal]) => QUARTER_WORDS[(ordinal ?? "").toLowerCase()] ?? null,
  },
  { pattern: /\b(?:(?:by |before )?(?:the )?end of (?:the |this )?year|year[- ]end|eoy|this year)\b/giu, normalise: () => "end of year" },
  { pattern: /\bnext year\b/giu, normalise: () => "next year" },
  {
    pattern: new RegExp(String.raw`\b(?:by|before|until|in|for|starting|from) (?:early |mid |late |mid-)?${MONTH_NAMES}\b(?:\s?(20\d{2}))?`, "giu"),
    normalise: (match) => formatMonth(match),
  },
];
const NO_TIMELINE_PHRASE =
  /\b(?:just (?:browsing|looking|curious|exploring|researching)|no (?:rush|hurry)|not urgent|not in a hurry|no (?:timeline|timeframe|deadline)|not sure when|no specific (?:timeline|date)|someday|some day|down the road)\b/iu;

/**
 * The visitor's timeline, normalised: "asap", "this week", "next month", "in 2 weeks", "Q3",
 * "Q3 2025", "end of year", "by March"… or "no timeline" for "just browsing" and the like.
 * A concrete timeline beats a "no rush" in the same message.
 */
export function findTimeline(text: string): string | null {
  const capped = capText(text);
  let best: { index: number; value: string } | null = null;
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    for (let match = rule.pattern.exec(capped); match !== null; match = rule.pattern.exec(capped)) {
      const value = rule.normalise(match);
      if (value !== null && (best === null || match.index < best.index)) best = { index: match.index, value };
    }
  }
  if (best !== null) return best.value;
  return NO_TIMELINE_PHRASE.test(capped) ? NO_TIMELINE : null;
}

/** Rates a normalised timeline; values it cannot read are "planned": stated, but not dated. */
export function rateUrgency(timeline: string): Urgency {
  if (timeline === NO_TIMELINE) return "none";
  if (["asap", "this week", "next week", "this month"].includes(timeline)) return "urgent";
  if (["next month", "this quarter"].includes(timeline)) return "soon";
  const span = /^in (\d+) (day|week|month|year)s?$/.exec(timeline);
  if (span === null) return "planned";
  const days = Number(span[1]) * (UNIT_DAYS[span[2] ?? ""] ?? 0);
  if (days <= 31) return "urgent";
  return days <= 92 ? "soon" : "planned";
}

function formatSpan(count: string | undefined, unit: string | undefined): string | null {
  if (count === undefined || unit === undefined) return null;
  const key = count.toLowerCase().replace(/^a /, "");
  const amount = /^\d+$/.test(key) ? Number(key) : NUMBER_WORDS[key];
  if (amount === undefined || amount === 0) return null;
  const lowerUnit = unit.toLowerCase();
  return `in ${amount} ${lowerUnit}${amount === 1 ? "" : "s"}`;
}

function appendYear(label: string, year: string | undefined): string {
  if (year === undefined) return label;
  return `${label} ${year.length === 2 ? `20${year}` : year}`;
}

function formatMonth(match: RegExpExecArray): string | null {
  const [whole, month, year] = match;
  if (month === undefined) return null;
  // "may" is a month only when written as one: "by May", not "we may".
  if (month.toLowerCase() === "may" && !whole.includes("May")) return null;
  const full = MONTHS.find((name) => name.startsWith(month.toLowerCase().slice(0, 3)));
  if (full === undefined) return null;
  const name = full.charAt(0).toUpperCase() + full.slice(1);
  return appendYear(`by ${name}`, year);
}
