/** Longest slice of one message the extractors read, so every pass over it stays bounded. */
export const MAX_MESSAGE_CHARS = 4_000;

export type Token = {
  /** The word without surrounding punctuation, in its original case. */
  readonly core: string;
  readonly lower: string;
  /** Punctuation right after the word, e.g. "," or ":". */
  readonly trail: string;
  /** The phrase the word belongs to ends here (comma, colon, bracket, dash …). */
  readonly breakAfter: boolean;
};

const PHRASE_BREAK = /[,:()[\]{}"“”«»—–/|]/u;
// A dot ends a clause only when followed by a space, so "Node.js" and "$1.5M" survive.
const CLAUSE_END = /[!?;\n\r…]+|\.(?=\s|$)/u;
const CLAUSE_SEPARATOR = new RegExp(`(${CLAUSE_END.source})`, "u");
const LEADING_PUNCT = /^[^\p{L}\p{N}&]+/u;
const TRAILING_PUNCT = /[^\p{L}\p{N}&]+$/u;

export function capText(text: string): string {
  const capped = text.length > MAX_MESSAGE_CHARS ? text.slice(0, MAX_MESSAGE_CHARS) : text;
  // Curly apostrophes come from phone keyboards; the cue lists only know the straight one.
  return capped.normalize("NFC").replace(/[’‘]/g, "'");
}

function splitClauses(text: string): string[] {
  return capText(text)
    .split(CLAUSE_END)
    .filter((clause) => clause.trim() !== "");
}

/** Drops the clauses `shouldRemove` picks; the rest of the text keeps its punctuation. */
export function removeClauses(text: string, shouldRemove: (clause: string) => boolean): string {
  // split() with a capture group alternates clause, separator, clause…; a removed clause takes
  // its separator with it so that "A. B! C." without B reads "A. C.", not "A.! C.".
  const parts = text.split(CLAUSE_SEPARATOR);
  const kept: string[] = [];
  for (let index = 0; index < parts.length; index += 2) {
    const clause = parts[index] ?? "";
    if (!shouldRemove(clause)) kept.push(clause, parts[index + 1] ?? "");
  }
  return kept.join("");
}

export function tokenize(clause: string): Token[] {
  // "name:Bob" is written without a space often enough to matter.
  const spaced = clause.replace(/(\p{L}):(?=\S)/gu, "$1: ");
  return spaced
    .split(/\s+/u)
    .filter((raw) => raw !== "")
    .map(readToken);
}

function readToken(raw: string): Token {
  const lead = LEADING_PUNCT.exec(raw)?.[0] ?? "";
  const rest = raw.slice(lead.length);
  const trail = TRAILING_PUNCT.exec(rest)?.[0] ?? "";
  const core = rest.slice(0, rest.length - trail.length);
  return {
    core,
    lower: core.toLowerCase(),
    trail,
    breakAfter: core === "" || PHRASE_BREAK.test(trail),
  };
}

/** Splits free text into clauses of tokens: the unit every cue-based finder walks. */
export function tokenizeText(text: string): Token[][] {
  return splitClauses(text).map(tokenize);
}

/**
 * Whether `cue` (lower-case words) starts at `start`. A cue word ending in ":" needs the colon in
 * the text ("name: Bob"); words before the last one must not end a phrase ("my, name is" is no cue).
 */
export function matchesCue(tokens: readonly Token[], start: number, cue: readonly string[]): boolean {
  return cue.every((word, offset) => {
    const token = tokens[start + offset];
    if (token === undefined) return false;
    const isLast = offset === cue.length - 1;
    if (word.endsWith(":")) return token.lower === word.slice(0, -1) && token.trail.startsWith(":");
    return token.lower === word && (isLast || !token.breakAfter);
  });
}

/** Indexes where a value starts right after one of the cues, in text order. */
export function findCueEnds(tokens: readonly Token[], cues: readonly (readonly string[])[]): number[] {
  const ends: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    for (const cue of cues) {
      if (matchesCue(tokens, i, cue)) ends.push(i + cue.length);
    }
  }
  return ends;
}

export function isCapitalised(word: string): boolean {
  return /^\p{Lu}[\p{L}\p{M}'-]*$/u.test(word);
}

export function collapseSpaces(text: string): string {
  return text.replace(/\s+/gu, " ").trim();
}
