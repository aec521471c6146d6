import type { Brand } from "./brand";
import { TITLE_WORDS } from "./job-title";
import { CALENDAR_WORDS, NOT_NAME_WORDS, PLACE_WORDS } from "./lexicon";
import { findCueEnds, isCapitalised, tokenize, tokenizeText } from "./text";
import type { Token } from "./text";

/** One to four capitalised words, e.g. "Ana María López" or "Jean-Luc". */
export type PersonName = Brand<string, "PersonName">;

const MAX_NAME_WORDS = 4;
const MAX_NAME_LENGTH = 80;
// Lower-case particles inside a name: "Ana de la Cruz", "Ludwig van Beethoven".
const PARTICLES = new Set(["de", "da", "das", "do", "dos", "del", "della", "di", "du", "la", "le", "van", "von", "der", "den", "ter", "bin", "al", "y"]);
// Months that are also common given names: "I'm April" introduces April.
const MONTH_NAMES = new Set(["april", "may", "june", "august"]);
// Strongest cue first: "my name is" beats a passing "this is".
const CUE_GROUPS = [
  [["my", "name", "is"], ["my", "name's"], ["name", "is"], ["name:"], ["call", "me"]],
  [["i'm"], ["im"], ["i", "am"], ["this", "is"]],
];

/** Validates a bare name; rejects words that are titles, dates, places or common non-names. */
export function parsePersonName(raw: string): PersonName | null {
  if (raw.length > MAX_NAME_LENGTH) return null;
  const tokens = tokenize(raw);
  const words = readNameWords(tokens, 0);
  return words.length > 0 && words.length === tokens.length ? (words.join(" ") as PersonName) : null;
}

/** The name a visitor introduces themselves with: "I'm Ana", "my name is Ana María López". */
export function findPersonName(text: string): PersonName | null {
  const clauses = tokenizeText(text);
  for (const cues of CUE_GROUPS) {
    for (const tokens of clauses) {
      for (const start of findCueEnds(tokens, cues)) {
        const words = readNameWords(tokens, start);
        const name = words.join(" ");
        if (words.length > 0 && name.length <= MAX_NAME_LENGTH) return name as PersonName;
      }
    }
  }
  return null;
}

function readNameWords(tokens: readonly Token[], start: number): string[] {
  const words: string[] = [];
  for (let index = start; index < tokens.length && words.length < MAX_NAME_WORDS; index++) {
    const token = tokens[index];
    if (token === undefined) break;
    const isParticle = words.length > 0 && PARTICLES.has(token.core) && !token.breakAfter;
    if (!isParticle && !isNameWord(token.core)) break;
    words.push(token.core);
    if (token.breakAfter) break;
  }
  // A name never ends on a particle: "Ana de" is "Ana" followed by something else.
  while (words.length > 0 && PARTICLES.has(words[words.length - 1] ?? "")) words.pop();
  return words;
}

function isNameWord(word: string): boolean {
  const lower = word.toLowerCase();
  // A possessive ("Tuesday's", "Ana's team") describes something else, not who is writing.
  return (
    isCapitalised(word) &&
    !lower.endsWith("'s") &&
    !NOT_NAME_WORDS.has(lower) &&
    !TITLE_WORDS.has(lower) &&
    (!CALENDAR_WORDS.has(lower) || MONTH_NAMES.has(lower)) &&
    !PLACE_WORDS.has(lower)
  );
}
