import { capText, collapseSpaces } from "./text";

export { findBudget, parseBudgetSignal, NO_BUDGET } from "./budget";
export type { Budget, BudgetPeriod, BudgetSignal } from "./budget";
export { findTimeline, rateUrgency, NO_TIMELINE } from "./timeline";
export type { Urgency } from "./timeline";

const MAX_NEED_LENGTH = 120;
const MIN_NEED_LENGTH = 3;

const SMALL_NUMBERS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, hundred: 100,
};
const HEAD = String.raw`(\d[\d,]{0,8}|${Object.keys(SMALL_NUMBERS).join("|")})(\+)?`;
const RANGE_TAIL = String.raw`(?:\s?(?:-|–|to)\s?(\d[\d,]{0,8}))?`;
const APPROX = String.raw`(?:about |around |roughly |approximately |~\s?)?`;
const TEAM_PATTERNS = [
  new RegExp(String.raw`\bteam (?:of|size(?: is| of)?:?) ${APPROX}${HEAD}${RANGE_TAIL}`, "iu"),
  new RegExp(String.raw`\b(?:company|startup|business|agency|firm|organi[sz]ation) of ${APPROX}${HEAD}${RANGE_TAIL}`, "iu"),
  new RegExp(String.raw`\b${HEAD}[- ]person (?:team|company|startup|business|agency|firm|shop)\b`, "iu"),
  new RegExp(String.raw`\bheadcount (?:is |of )?${APPROX}${HEAD}${RANGE_TAIL}`, "iu"),
  new RegExp(
    String.raw`\b${HEAD}${RANGE_TAIL}\s(?:full[- ]time\s)?(?:employees|people|staff|engineers|developers|devs|reps|salespeople|agents|team members|persons|folks|ftes?|workers|strong)\b`,
    "iu",
  ),
];
// "we need 3 developers" is a need, not the size of the visitor's team.
const HIRING_BEFORE = /\b(?:need|needs|hire|hiring|recruit|recruiting|looking for|find)\s+(?:\S+\s+)?$/iu;
const SOLO = /\b(?:just me|solo (?:founder|entrepreneur|business)|one-person|one person (?:company|business|team|shop))\b/iu;

/** Team size as "12", "10-50" or "200+": "team of 12", "50 employees", "we're 200 people". */
export function findTeamSize(text: string): string | null {
  const capped = capText(text);
  for (const pattern of TEAM_PATTERNS) {
    const match = pattern.exec(capped);
    if (match === null || HIRING_BEFORE.test(capped.slice(Math.max(0, match.index - 30), match.index))) continue;
    const [, head, plus, upper] = match;
    const low = parseCount(head);
    const high = parseCount(upper);
    if (low === null || low === 0) continue;
    if (high !== null && high > low) return `${low}-${high}`;
    return plus === undefined ? `${low}` : `${low}+`;
  }
  return SOLO.test(capped) ? "1" : null;
}

/** The lower bound of a normalised team size; null for values it cannot read. */
export function readTeamSize(value: string): number | null {
  const match = /^(\d+)(?:\+|-\d+)?$/.exec(value.trim());
  return match === null ? null : Number(match[1]);
}

function parseCount(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const lower = raw.toLowerCase();
  const count = SMALL_NUMBERS[lower] ?? Number(lower.replace(/,/g, ""));
  return Number.isSafeInteger(count) ? count : null;
}

const NEED_CUE =
  /\b(?:(?:we|i|and|,) (?:really |urgently |also )?need(?: to)?|(?:we're|we are|i'm|i am|we were|i was)? ?looking (?:for|to)|(?:we|i) (?:want|would like|'d like) to|want to|(?:the|our|my) (?:main |biggest )?(?:problem|challenge|issue|pain point) is(?: that)?|struggling with|trying to)\s+/iu;
// The need is the phrase up to the first comma: what follows is usually a new thought
// ("…, email me at …") rather than more of the need.
const PHRASE_END = /[,!?;\n]|\.(?=\s|$)/u;
const VAGUE = new Set(["it", "that", "this", "them", "something", "anything", "more", "help", "info"]);

/** What the visitor is after: the phrase after "we need", "looking for", "want to", "problem is". */
export function findNeed(text: string): string | null {
  const capped = capText(text);
  const cue = NEED_CUE.exec(capped);
  if (cue === null) return null;
  const rest = capped.slice(cue.index + cue[0].length);
  const phraseEnd = rest.search(PHRASE_END);
  const clause = phraseEnd === -1 ? rest : rest.slice(0, phraseEnd);
  // Contact details belong in ContactInfo, not in a free-text field shown on dashboards.
  const words = collapseSpaces(clause).split(" ");
  const firstContact = words.findIndex((word) => word.includes("@") || /\d{6,}/.test(word));
  const phrase = trimToLength(words.slice(0, firstContact === -1 ? undefined : firstContact));
  if (phrase.length < MIN_NEED_LENGTH || VAGUE.has(phrase.toLowerCase())) return null;
  return phrase;
}

function trimToLength(words: readonly string[]): string {
  let phrase = "";
  for (const word of words) {
    const next = phrase === "" ? word : `${phrase} ${word}`;
    if (next.length > MAX_NEED_LENGTH) break;
    phrase = next;
  }
  return phrase.replace(/[\s.:–—-]+$/u, "");
}
