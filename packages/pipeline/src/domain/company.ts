import type { Brand } from "./brand";
import { endsWithTitle, TITLE_WORDS } from "./job-title";
import { CALENDAR_WORDS, NOT_NAME_WORDS, PLACE_WORDS, PRONOUNS } from "./lexicon";
import { findCueEnds, isCapitalised, tokenize, tokenizeText } from "./text";
import type { Token } from "./text";

/** A company name as the visitor wrote it, e.g. "Acme Corp" or "Procter & Gamble". */
export type Company = Brand<string, "Company">;

const MAX_COMPANY_WORDS = 5;
const MAX_COMPANY_LENGTH = 80;
const INNER_CONNECTORS = new Set(["&", "and", "of", "for", "the"]);
const DIRECT_CUES = [
  ["our", "company", "is"], ["my", "company", "is"], ["the", "company", "is"],
  ["company", "name", "is"], ["company", "is", "called"], ["company", "called"], ["company", "is"],
  ["startup", "called"], ["agency", "called"], ["business", "called"], ["firm", "called"],
  ["company:"], ["organization:"], ["organisation:"],
  ["i", "work", "for"], ["i", "work", "at"], ["we", "work", "at"], ["working", "at"],
  ["working", "for"], ["i'm", "with"], ["i", "am", "with"], ["i", "represent"],
  ["on", "behalf", "of"], ["employed", "by"], ["employed", "at"],
];
// "at" and "from" name a company only right after the visitor's own name, title or a verb of
// introduction: "Ana from Acme", "CTO at Globex", "I'm at Initech" — not "looking at Salesforce"
// or "data from HubSpot".
const INTRODUCING_WORDS = new Set(["i'm", "im", "am", "we're", "are", "here", "calling", "writing", "work", "works", "worked"]);

/** Validates a bare company name: capitalised words, no dates, places or pronouns. */
export function parseCompany(raw: string): Company | null {
  if (raw.length > MAX_COMPANY_LENGTH) return null;
  const tokens = tokenize(raw);
  const words = readCompanyWords(tokens, 0);
  return words.length > 0 && words.length === tokens.length ? (words.join(" ") as Company) : null;
}

/** The visitor's company: "I work for Initech", "our company is Umbrella", "Ana from Acme Corp". */
export function findCompany(text: string): Company | null {
  const clauses = tokenizeText(text);
  const starts = (tokens: readonly Token[]): number[] => [
    ...findCueEnds(tokens, DIRECT_CUES),
    ...findIntroducedPrepositions(tokens),
  ];
  for (const tokens of clauses) {
    for (const start of starts(tokens)) {
      const words = readCompanyWords(tokens, start);
      const company = words.join(" ");
      if (words.length > 0 && company.length <= MAX_COMPANY_LENGTH) return company as Company;
    }
  }
  return null;
}

function findIntroducedPrepositions(tokens: readonly Token[]): number[] {
  const starts: number[] = [];
  tokens.forEach((token, index) => {
    const previous = tokens[index - 1];
    if (previous === undefined || previous.breakAfter) return;
    const introduced = INTRODUCING_WORDS.has(previous.lower) || isPersonLike(previous.core);
    // "developer from Upwork" is a need; only "at" ties a title to the visitor's employer.
    const titled = token.lower === "at" && endsWithTitle(tokens, index - 1);
    if ((token.lower === "at" || token.lower === "from") && (introduced || titled)) starts.push(index + 1);
  });
  return starts;
}

// A capitalised word before "from" is usually the visitor's name ("Bob from Initech"), unless it
// opens the sentence as a verb ("Switching from", "Looking at").
function isPersonLike(word: string): boolean {
  const lower = word.toLowerCase();
  const isGerund = lower.length > 5 && lower.endsWith("ing");
  return isCapitalised(word) && !NOT_NAME_WORDS.has(lower) && !TITLE_WORDS.has(lower) && !isGerund;
}

function readCompanyWords(tokens: readonly Token[], start: number): string[] {
  const words: string[] = [];
  for (let index = start; index < tokens.length && words.length < MAX_COMPANY_WORDS; index++) {
    const token = tokens[index];
    if (token === undefined) break;
    const isConnector = words.length > 0 && INNER_CONNECTORS.has(token.lower) && !token.breakAfter;
    if (!isConnector && !isCompanyWord(token.core, words.length === 0)) break;
    words.push(token.core);
    if (token.breakAfter) break;
  }
  while (words.length > 0 && INNER_CONNECTORS.has(words[words.length - 1]?.toLowerCase() ?? "")) words.pop();
  return words;
}

function isCompanyWord(word: string, isFirst: boolean): boolean {
  const lower = word.toLowerCase();
  if (PRONOUNS.has(lower)) return false;
  // Later words may be "3M"-like or all digits ("Studio 54"); the first must look like a name.
  if (!isFirst) return /^[\p{Lu}\p{N}][\p{L}\p{N}'.&-]*$/u.test(word);
  return (
    /^\p{Lu}[\p{L}\p{N}'.&-]*$/u.test(word) &&
    !CALENDAR_WORDS.has(lower) &&
    !PLACE_WORDS.has(lower) &&
    !TITLE_WORDS.has(lower)
  );
}
