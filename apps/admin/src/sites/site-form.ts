/**
 * The site settings form as data: what the admin typed, turned into
 * sites.update's input, and the server's refusals put back next to the field
 * each is about. Only what the page cannot send at all (a word where a number
 * goes) is refused here; every limit is the server's to judge, so the admin
 * reads one set of rules, the server's.
 */
import type { Issue } from "../api/errors";
import type { RateLimitKey, Site, SiteUpdate } from "../api/types";
import { budgetText, RATE_LIMITS } from "./format";

export type BudgetKey = "dailyBudgetUsd" | "monthlyBudgetUsd";
export type FieldKey = "allowedOrigins" | RateLimitKey | BudgetKey | "reason";
export type FieldErrors = Partial<Record<FieldKey, string>>;

export type SiteDraft = {
  /** One origin per line (spaces and commas separate them too). */
  allowedOrigins: string;
  /** Empty: the deployment's default. */
  rates: Record<RateLimitKey, string>;
  dailyBudgetUsd: string;
  monthlyBudgetUsd: string;
  reason: string;
};

type SiteSettings = Pick<Site, "id" | "allowedOrigins" | "rateLimits" | "dailyBudgetUsd" | "monthlyBudgetUsd">;
type Changes = SiteUpdate["changes"];
type RateLimits = NonNullable<Changes["rateLimits"]>;

/** The form as the site is stored. */
export function draftOf(site: SiteSettings): SiteDraft {
  const rates = Object.fromEntries(RATE_LIMITS.map(({ key }) => [key, site.rateLimits[key] === undefined ? "" : String(site.rateLimits[key])]));
  return {
    allowedOrigins: site.allowedOrigins.join("\n"),
    rates: rates as Record<RateLimitKey, string>,
    dailyBudgetUsd: budgetText(site.dailyBudgetUsd),
    monthlyBudgetUsd: budgetText(site.monthlyBudgetUsd),
    reason: "",
  };
}

/** The origins in the order typed, blank lines dropped: an origin holds no space or comma, so either separates two. */
export function splitOrigins(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

const NUMBER = /^-?\d+(\.\d+)?$/;

export type ReadDraft = { ok: false; errors: FieldErrors } | { ok: true; update: SiteUpdate | null; origins: string[] };

/**
 * sites.update's input for what the admin changed (null when nothing did),
 * or why a field cannot be sent. The rate limits go as one object, as the
 * server replaces them whole.
 */
export function readDraft(site: SiteSettings, draft: SiteDraft): ReadDraft {
  const errors: FieldErrors = {};
  const rates: RateLimits = {};
  for (const { key } of RATE_LIMITS) {
    const text = draft.rates[key].trim();
    if (text === "") continue;
    if (NUMBER.test(text)) rates[key] = Number(text);
    else errors[key] = "Enter a number, or leave it empty for the default";
  }
  const budgets = {} as Record<BudgetKey, number | null>;
  for (const key of ["dailyBudgetUsd", "monthlyBudgetUsd"] as const) {
    const text = draft[key].trim().replace(/^\$/, "");
    if (text === "") budgets[key] = null;
    else if (NUMBER.test(text)) budgets[key] = Number(text);
    else errors[key] = "Enter an amount in dollars like 5 or 2.50, or leave it empty for the default";
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const origins = splitOrigins(draft.allowedOrigins);
  const changes: Changes = {};
  if (!sameList(origins, site.allowedOrigins)) changes.allowedOrigins = origins;
  if (!sameRates(rates, site.rateLimits)) changes.rateLimits = rates;
  for (const key of ["dailyBudgetUsd", "monthlyBudgetUsd"] as const) {
    const stored = site[key] === null ? null : Number(site[key]);
    if (budgets[key] !== stored) changes[key] = budgets[key];
  }
  if (Object.keys(changes).length === 0) return { ok: true, update: null, origins };
  const reason = draft.reason.trim();
  return { ok: true, update: { id: site.id, changes, ...(reason ? { reason } : {}) }, origins };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function sameRates(a: RateLimits, b: Site["rateLimits"]): boolean {
  return RATE_LIMITS.every(({ key }) => a[key] === b[key]);
}

/**
 * The server's refusals, each beside its field ("changes.rateLimits.messagesPerSession"
 * is that limit's field; "changes.allowedOrigins.1" names the second origin
 * sent, by its value); a refusal of no field in the form is `other`.
 */
export function placeIssues(issues: readonly Issue[], sentOrigins: readonly string[]): { fields: FieldErrors; other: string[] } {
  const fields: FieldErrors = {};
  const other: string[] = [];
  const add = (key: FieldKey, message: string) => {
    fields[key] = fields[key] ? `${fields[key]}; ${message}` : message;
  };
  for (const { path, message } of issues) {
    const [root, field, index] = path.split(".");
    const text = sentenceOf(message);
    if (root === "reason") add("reason", text);
    else if (root !== "changes") other.push(text);
    else if (field === "allowedOrigins") add("allowedOrigins", index !== undefined && sentOrigins[Number(index)] !== undefined ? `${sentOrigins[Number(index)]}: ${text}` : text);
    else if (field === "rateLimits" && RATE_LIMITS.some(({ key }) => key === index)) add(index as RateLimitKey, text);
    else if (field === "dailyBudgetUsd" || field === "monthlyBudgetUsd") add(field, text);
    else other.push(text);
  }
  return { fields, other };
}

const CHANGE_NAMES: Record<keyof Changes, string> = {
  name: "name",
  greeting: "greeting",
  systemPrompt: "system prompt",
  allowedOrigins: "allowed origins",
  theme: "theme",
  qualificationSettings: "qualification settings",
  rateLimits: "rate limits",
  dailyBudgetUsd: "daily budget",
  monthlyBudgetUsd: "monthly budget",
};

/** What a save changed, for the notice after it: "allowed origins, rate limits and daily budget". */
export function describeChanges(changes: Changes): string {
  const names = (Object.keys(changes) as (keyof Changes)[]).map((key) => CHANGE_NAMES[key]);
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : (names[0] ?? "nothing");
}

/** The server words a bound as a fragment ("at least 1", "0 or more"); beside a field it reads "Must be at least 1". */
function sentenceOf(message: string): string {
  return /^[a-z0-9]/.test(message) ? `Must be ${message}` : message;
}
