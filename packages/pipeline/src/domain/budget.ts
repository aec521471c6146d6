import { capText } from "./text";

export type BudgetPeriod = "month" | "year";

export type Budget = {
  /** Normalised for QualificationSignals.budget: "USD 20,000", "EUR 5,000/month", "none". */
  readonly value: string;
  /** Lower bound in US dollars per `period`; only when the amount is in (or assumed) USD. */
  readonly amountUsd?: number;
  readonly period?: BudgetPeriod;
};

export type BudgetSignal =
  | { readonly kind: "none" }
  | { readonly kind: "amount"; readonly currency?: string; readonly min: number; readonly max?: number; readonly period?: BudgetPeriod };

export const NO_BUDGET = "none";

const CURRENCY_CODES: Record<string, string> = {
  "$": "USD", "us$": "USD", usd: "USD", dollar: "USD", dollars: "USD", bucks: "USD",
  "€": "EUR", eur: "EUR", euro: "EUR", euros: "EUR", "£": "GBP", gbp: "GBP", pound: "GBP",
  pounds: "GBP", "c$": "CAD", "ca$": "CAD", cad: "CAD", "a$": "AUD", "au$": "AUD", aud: "AUD",
  chf: "CHF", "¥": "JPY", jpy: "JPY", "₹": "INR", inr: "INR",
};
const MULTIPLIERS: Record<string, number> = { k: 1e3, grand: 1e3, thousand: 1e3, m: 1e6, mm: 1e6, million: 1e6 };

const SYMBOL = String.raw`(?:us\$|ca?\$|au?\$|[$€£¥₹]|\b(?:usd|eur|gbp|cad|aud|chf|jpy|inr)\s?)`;
// Thousands groups with commas, or up to nine plain digits: bounded, so scanning stays linear.
const NUMBER = String.raw`(\d{1,3}(?:,\d{3}){1,4}|\d{1,9})(?:\.(\d{1,2}))?(?!\d)\s?(k|mm|m|grand|thousand|million)?\b`;
const AFTER_CODE = String.raw`(?:\s?(usd|eur|gbp|cad|aud|chf|jpy|inr|dollars?|bucks|euros?|pounds?)\b)?`;
const PERIOD = String.raw`(?:\s?(?:\/|per|a|an|each)\s?(month|mo|year|yr|annum)\b|\s(monthly|annually|yearly)\b)?`;
const AMOUNT = new RegExp(
  String.raw`(?<![\w.,])(${SYMBOL})?${NUMBER}(?:\s?(?:-|–|to)\s?(${SYMBOL})?${NUMBER})?${AFTER_CODE}${PERIOD}`,
  "giu",
);
const NO_BUDGET_PHRASE =
  /\b(?:no|zero|without (?:a|any)|(?:don't|do not|haven't|have not|didn't) (?:have|got|set|allocate) (?:a |any )?)\s?budget\b|\bbudget (?:[\w-]+ ){0,3}?(?:is |has |was )?(?:tbd|undecided|not (?:set|defined|allocated|approved))\b/iu;
const BUDGET_WORDS = /\b(?:budget(?:s|ed|ing)?|spend|spending|afford|invest|pay|allocated?|set aside|around|about|roughly|approximately|approx|up to|max|maximum|under|below|less than)\b|~/iu;
const BUDGET_WORD = /\bbudget(?:s|ed)?\b/iu;
// An amount followed by one of these counts things, not money: "50k users", "$20 per seat".
const COUNTED_NOUN = /^\s?(?:\/|per |a |each )?(?:users?|seats?|employees|people|visitors|customers|leads|requests|messages|followers|subscribers|downloads|records|contacts|members|licen[cs]es?|units|calls|emails|sessions|visits|views|tickets|orders|transactions|rows|events|words|tokens|agents|hours|minutes|days|weeks|months|years)\b/iu;
const MIN_BARE_AMOUNT = 100;
// Nobody states more than a handful of amounts; the cap keeps number-heavy pastes cheap.
const MAX_CANDIDATES = 20;

/**
 * The budget a visitor states. Accepts amounts with a currency ("$20k", "20,000 USD",
 * "€5k per month"), with a k/m suffix next to a budget word ("around 50k", "budget is 10-15k"),
 * or plain next to "budget" ("our budget is 8000"); "no budget yet" becomes "none". Currencies
 * other than USD keep their code and get no `amountUsd`: there is no exchange rate here.
 */
export function findBudget(text: string): Budget | null {
  // "between $500 and $1,000 per month" is the range "$500-$1,000 per month".
  const capped = capText(text).replace(/\bbetween (\S{1,20}) and (?=\S)/giu, "$1 - ");
  const amounts = takeFirst(capped.matchAll(AMOUNT), MAX_CANDIDATES)
    .map((match) => readAmount(match, capped))
    .filter((candidate): candidate is Candidate => candidate !== null)
    .sort((a, b) => b.strength - a.strength);
  const best = amounts[0];
  if (best !== undefined) return buildBudget(best.signal);
  return NO_BUDGET_PHRASE.test(capped) ? { value: NO_BUDGET } : null;
}

function takeFirst<T>(items: Iterable<T>, count: number): T[] {
  const taken: T[] = [];
  for (const item of items) {
    if (taken.length === count) break;
    taken.push(item);
  }
  return taken;
}

type Candidate = { signal: Extract<BudgetSignal, { kind: "amount" }>; strength: number };

function readAmount(match: RegExpMatchArray, text: string): Candidate | null {
  const [whole, symbol1, int1, frac1, unit1, symbol2, int2, frac2, unit2, code, period1, period2] = match;
  const start = match.index ?? 0;
  const end = start + whole.length;
  if (int1 === undefined || COUNTED_NOUN.test(text.slice(end, end + 16))) return null;
  const around = text.slice(Math.max(0, start - 40), end + 20);
  const hasBudgetWords = BUDGET_WORDS.test(around);
  // "Is it $49 a month?" asks for a price; it says nothing about the visitor's budget.
  if (!hasBudgetWords && isInQuestion(text, end)) return null;
  const currency = readCurrency(symbol1 ?? symbol2 ?? code);
  const hasUnit = unit1 !== undefined || unit2 !== undefined;
  // A second unit applies to both ends: "10-15k" is 10,000 to 15,000.
  const min = computeAmount(int1, frac1, unit1 ?? unit2);
  const max = int2 === undefined ? undefined : computeAmount(int2, frac2, unit2);
  const strength = currency !== undefined ? 3 : hasUnit && hasBudgetWords ? 2 : 1;
  if (strength === 1 && (!BUDGET_WORD.test(around) || min < MIN_BARE_AMOUNT || isYear(int1))) return null;
  if (max !== undefined && max < min) return null;
  const period = readPeriod(period1 ?? period2);
  return { signal: { kind: "amount", currency, min, max, period }, strength };
}

function isInQuestion(text: string, from: number): boolean {
  const rest = text.slice(from);
  const clauseEnd = rest.search(/[.!?\n]/u);
  return clauseEnd !== -1 && rest[clauseEnd] === "?";
}

function readCurrency(raw: string | undefined): string | undefined {
  return raw === undefined ? undefined : CURRENCY_CODES[raw.trim().toLowerCase()];
}

function computeAmount(digits: string, fraction: string | undefined, unit: string | undefined): number {
  const base = Number(`${digits.replace(/,/g, "")}.${fraction ?? "0"}`);
  return Math.round(base * (unit === undefined ? 1 : (MULTIPLIERS[unit.toLowerCase()] ?? 1)));
}

function readPeriod(raw: string | undefined): BudgetPeriod | undefined {
  if (raw === undefined) return undefined;
  return /^mo/i.test(raw) ? "month" : "year";
}

function isYear(digits: string): boolean {
  return /^(?:19|20)\d{2}$/.test(digits);
}

function buildBudget(signal: Extract<BudgetSignal, { kind: "amount" }>): Budget {
  const isUsd = signal.currency === undefined || signal.currency === "USD";
  return {
    value: formatBudget(signal),
    ...(isUsd ? { amountUsd: signal.min } : {}),
    ...(signal.period !== undefined ? { period: signal.period } : {}),
  };
}

function formatBudget(signal: Extract<BudgetSignal, { kind: "amount" }>): string {
  const range = [signal.min, signal.max]
    .filter((amount): amount is number => amount !== undefined)
    .map((amount) => amount.toLocaleString("en-US"))
    .join("-");
  const currency = signal.currency === undefined ? "" : `${signal.currency} `;
  const period = signal.period === undefined ? "" : `/${signal.period}`;
  return `${currency}${range}${period}`;
}

const SIGNAL_FORMAT = /^(?:([A-Z]{3}) )?([\d,]+)(?:-([\d,]+))?(?:\/(month|year))?$/;

/** Reads back a normalised budget value (as stored in QualificationSignals); null if free-form. */
export function parseBudgetSignal(value: string): BudgetSignal | null {
  if (value === NO_BUDGET) return { kind: "none" };
  const match = SIGNAL_FORMAT.exec(value.trim());
  if (match === null) return null;
  const [, currency, min, max, period] = match;
  const toInt = (digits: string): number => Number(digits.replace(/,/g, ""));
  return {
    kind: "amount",
    currency,
    min: toInt(min ?? "0"),
    max: max === undefined ? undefined : toInt(max),
    period: period as BudgetPeriod | undefined,
  };
}
