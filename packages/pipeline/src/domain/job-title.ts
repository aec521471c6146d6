import type { Brand } from "./brand";
import { findCueEnds, isCapitalised, matchesCue, tokenize, tokenizeText } from "./text";
import type { Token } from "./text";

/** A normalised job title such as "CTO", "Head of Marketing" or "Senior Product Manager". */
export type JobTitle = Brand<string, "JobTitle">;

export type Seniority = "executive" | "director" | "manager" | "individual";

const C_LEVEL = ["ceo", "cto", "cfo", "coo", "cmo", "cio", "ciso", "cro", "cpo", "cso", "cdo", "cco"];
const EXECUTIVE_HEADS = [
  ...C_LEVEL, "founder", "co-founder", "cofounder", "owner", "president", "vp", "svp", "evp", "partner",
];
const DIRECTOR_HEADS = ["director", "head", "maker"];
const MANAGER_HEADS = ["manager", "lead", "supervisor"];
const INDIVIDUAL_HEADS = [
  "engineer", "developer", "designer", "analyst", "consultant", "architect", "recruiter",
  "marketer", "accountant", "administrator", "admin", "coordinator", "specialist", "strategist",
  "scientist", "officer", "executive", "representative", "rep", "associate", "assistant",
  "freelancer", "contractor", "intern", "researcher", "advisor", "adviser", "controller",
];
// Heads too ambiguous alone ("I'm a lead", "as head"): they need a qualifier.
const QUALIFIED_ONLY = new Set(["lead", "head", "maker", "executive", "associate", "assistant", "officer", "rep", "admin"]);
const MODIFIERS = [
  "chief", "senior", "sr", "junior", "jr", "staff", "deputy", "vice", "general", "managing",
  "regional", "global", "group", "technical", "tech", "team", "department", "full-stack",
  "fullstack", "frontend", "backend", "solutions", "solution", "account", "decision", "interim",
  "acting", "founding", "principal", "freelance",
];
const DEPARTMENTS = [
  "marketing", "sales", "engineering", "product", "operations", "ops", "finance", "it", "hr",
  "growth", "data", "security", "technology", "people", "design", "revenue", "business",
  "development", "procurement", "purchasing", "customer", "success", "support", "software",
  "digital", "strategy", "partnerships", "communications", "content", "brand", "infrastructure",
  "platform", "devops", "analytics", "research", "legal", "compliance", "talent", "ux", "ui", "qa",
  "information", "innovation", "e-commerce", "ecommerce", "web", "mobile", "cloud", "demand",
  "generation", "experience", "accounting", "training", "learning", "project", "program",
  "programme", "office", "seo", "pr", "gtm", "enablement", "community",
];
const CONNECTORS = new Set(["of", "and", "&", "for"]);
const UPPERCASE_WORDS = new Set([...C_LEVEL, "vp", "svp", "evp", "it", "hr", "ux", "ui", "qa", "seo", "pr", "gtm"]);
const HEADS = new Set([...EXECUTIVE_HEADS, ...DIRECTOR_HEADS, ...MANAGER_HEADS, ...INDIVIDUAL_HEADS]);
const TITLE_ENDS = new Set([...HEADS, ...DEPARTMENTS]);
const VOCABULARY = new Set([...TITLE_ENDS, ...MODIFIERS, ...CONNECTORS]);

/** Words that belong to titles: other finders must not take them for names or companies. */
export const TITLE_WORDS: ReadonlySet<string> = VOCABULARY;

const MAX_TITLE_WORDS = 6;
const MAX_TITLE_LENGTH = 80;
const ARTICLES = new Set(["the", "a", "an"]);
const CUES = [
  ["i'm"], ["im"], ["i", "am"], ["as"], ["my", "role", "is"], ["my", "title", "is"],
  ["my", "position", "is"], ["my", "job", "title", "is"], ["i", "work", "as"], ["working", "as"],
  ["title:"], ["role:"], ["position:"], ["job", "title:"],
];
const SELF_INTRODUCTIONS = [["i'm"], ["im"], ["i", "am"], ["this", "is"], ["my", "name", "is"]];
const MAX_NAME_WORDS = 4;

/** Normalises a bare title ("head of marketing" → "Head of Marketing"); null if it is not one. */
export function parseJobTitle(raw: string): JobTitle | null {
  if (raw.length > MAX_TITLE_LENGTH) return null;
  const tokens = tokenize(raw);
  const read = readTitle(tokens, 0);
  return read !== null && read.end === tokens.length ? formatTitle(read.words) : null;
}

/**
 * A title visitors give for themselves: "I'm the CTO", "as head of marketing", "I'm a product
 * manager at X", "I'm Ana, CTO at Globex". Titles without such a cue ("we're hiring a
 * developer") describe a need, not the visitor, and are ignored.
 */
export function findJobTitle(text: string): JobTitle | null {
  for (const tokens of tokenizeText(text)) {
    for (const start of [...findCueEnds(tokens, CUES), ...findAppositions(tokens)]) {
      const read = readTitle(tokens, start);
      if (read !== null) return formatTitle(read.words);
    }
  }
  return null;
}

/** Whether the tokens ending at `end` form a title, as in "Head of Marketing at Initech". */
export function endsWithTitle(tokens: readonly Token[], end: number): boolean {
  if (!TITLE_ENDS.has(tokens[end]?.lower ?? "")) return false;
  const words: string[] = [];
  for (let index = end; index >= 0 && words.length < MAX_TITLE_WORDS; index--) {
    const token = tokens[index];
    if (token === undefined || !VOCABULARY.has(token.lower) || (index !== end && token.breakAfter)) break;
    words.unshift(token.lower);
    if (isTitle(words)) return true;
  }
  return false;
}

const SENIORITY_RANK: readonly Seniority[] = ["individual", "manager", "director", "executive"];

export function rateSeniority(title: string): Seniority {
  const lower = title.toLowerCase();
  if (lower.includes("chief") || lower.includes("managing director")) return "executive";
  // A scrum role, not the owner of the business.
  if (lower.includes("product owner")) return "manager";
  const words = lower.split(/\s+/);
  // A head followed by another head only qualifies it: "Partner Manager", "Executive Assistant".
  const heads = words.filter((word, index) => HEADS.has(word) && !HEADS.has(words[index + 1] ?? ""));
  const ranks = heads.map((head) => SENIORITY_RANK.indexOf(rateHead(head)));
  return SENIORITY_RANK[Math.max(0, ...ranks)] ?? "individual";
}

function rateHead(head: string): Seniority {
  if (EXECUTIVE_HEADS.includes(head)) return "executive";
  if (DIRECTOR_HEADS.includes(head)) return "director";
  if (MANAGER_HEADS.includes(head)) return "manager";
  return "individual";
}

// "I'm Ana López, CTO at Globex": the title follows a self-introduction and a comma.
function findAppositions(tokens: readonly Token[]): number[] {
  const starts: number[] = [];
  tokens.forEach((token, index) => {
    if (!token.trail.startsWith(",") || !isCapitalised(token.core)) return;
    for (let first = index; first > index - MAX_NAME_WORDS && isCapitalised(tokens[first]?.core ?? ""); first--) {
      if (SELF_INTRODUCTIONS.some((cue) => matchesCue(tokens, first - cue.length, cue))) {
        starts.push(index + 1);
        return;
      }
    }
  });
  return starts;
}

function readTitle(tokens: readonly Token[], start: number): { words: string[]; end: number } | null {
  const first = tokens[start];
  const from = first !== undefined && ARTICLES.has(first.lower) && !first.breakAfter ? start + 1 : start;
  const words: string[] = [];
  for (let index = from; index < tokens.length && words.length < MAX_TITLE_WORDS; index++) {
    const token = tokens[index];
    if (token === undefined || !VOCABULARY.has(token.lower)) break;
    words.push(token.lower);
    if (token.breakAfter) break;
  }
  while (words.length > 0 && !TITLE_ENDS.has(words[words.length - 1] ?? "")) words.pop();
  return isTitle(words) ? { words, end: from + words.length } : null;
}

function isTitle(words: readonly string[]): boolean {
  if (!words.some((word) => HEADS.has(word))) return false;
  return words.length > 1 || !QUALIFIED_ONLY.has(words[0] ?? "");
}

function formatTitle(words: readonly string[]): JobTitle {
  return words.map(formatWord).join(" ") as JobTitle;
}

function formatWord(word: string): string {
  if (UPPERCASE_WORDS.has(word)) return word.toUpperCase();
  if (CONNECTORS.has(word)) return word;
  if (word === "cofounder") return "Co-Founder";
  if (word === "devops") return "DevOps";
  return word
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("-");
}
