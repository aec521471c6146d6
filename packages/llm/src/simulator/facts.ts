/** What the sales script needs to know about a visitor, in the order it asks. */
export const slots = ["name", "email", "company", "budget", "timeline"] as const;
export type Slot = (typeof slots)[number];
export type Facts = Partial<Record<Slot, string>>;

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
// The lead-in is case-insensitive by hand so that the name itself must be capitalised:
// "I'm Jane" names someone, "I'm interested" does not.
const NAME = /\b(?:[Mm]y name is|[Mm]y name's|I am|I'm|I’m|[Tt]his is|[Cc]all me)\s+(\p{Lu}[\p{L}'-]+(?:\s+\p{Lu}[\p{L}'-]+)?)/u;
// Dots only inside a word ("Acme.io"), so "Acme Corp. My budget…" stops at "Corp".
const COMPANY =
  /\b(?:at|from|with|work for|[Cc]ompany is|[Cc]ompany called|represent)\s+([\p{Lu}\d][\w&'-]*(?:\.[\w&'-]+)*(?:\s+(?!I\b)[\p{Lu}\d&][\w&'-]*(?:\.[\w&'-]+)*){0,3})/u;
const MONEY = /(?:[$€£]\s?\d[\d,.]*\s?(?:k|m|thousand|million)?|\b\d[\d,.]*\s?(?:k|m|thousand|million|usd|eur|gbp|dollars|euros)\b)/i;
const BUDGET_PHRASE = /\b(?:my|our|the)\s+budget\s+(?:is|of|would be|will be)\s+([^.!?,;]{1,40})/i;
const TIMELINE = new RegExp(
  [
    String.raw`\b(?:next|this|coming)\s+(?:week|month|quarter|year|spring|summer|fall|autumn|winter)\b`,
    String.raw`\bQ[1-4](?:\s+\d{4})?\b`,
    String.raw`\b(?:in|within)\s+(?:a\s+few|a\s+couple\s+of|\d+|a|one|two|three|four|six)\s+(?:days?|weeks?|months?)\b`,
    String.raw`\b\d+\s+(?:days?|weeks?|months?)\b`,
    String.raw`\b(?:asap|immediately|right away|end of (?:the )?(?:month|quarter|year))\b`,
    String.raw`\b(?:january|february|march|april|june|july|august|september|october|november|december)\b`,
  ].join("|"),
  "i",
);
// Words that start a reply without answering the question ("sure", "not yet").
const NON_ANSWERS = new Set(["yes", "no", "not", "nope", "none", "sure", "ok", "okay", "fine", "good", "thanks", "thank", "maybe", "just", "later", "skip", "interested", "looking", "here"]);
// Capitalised words after "at"/"from"/"with" that are dates, not companies.
const NOT_NAME_WORDS = new Set(["i", "we", "you", "it", "is", "are", "want", "need", "like", "the", "an", "to", "for", "my", "our", "what", "how", "can", "do", "pricing", "price", "demo", "info", "help", "more"]);
const NOT_A_COMPANY = /^(?:Q[1-4]|January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|I)\b/;
const GREETING = /^\s*(?:hi|hello|hey|hiya|howdy|good\s+(?:morning|afternoon|evening)|greetings)\b/i;

export function isGreeting(text: string): boolean {
  return GREETING.test(text);
}

/** Facts found in one message; `expected` is the slot the assistant just asked about. */
export function findFacts(text: string, expected: Slot | undefined): Facts {
  const found: Facts = {};
  const email = EMAIL.exec(text)?.[0];
  if (email) found.email = email;
  // Emails contain "at"-like noise and domain names; look for the rest without them.
  const rest = text.replace(EMAIL, " ");

  const name = NAME.exec(rest)?.[1];
  if (name && !startsWithNonAnswer(name)) found.name = name;
  const company = COMPANY.exec(rest)?.[1];
  if (company && !NOT_A_COMPANY.test(company)) found.company = trimPunctuation(company);
  const budget = MONEY.exec(rest)?.[0] ?? BUDGET_PHRASE.exec(rest)?.[1];
  if (budget) found.budget = trimPunctuation(budget);
  const timeline = TIMELINE.exec(rest)?.[0];
  if (timeline) found.timeline = timeline;

  if (expected && !found[expected]) {
    const bare = readBareAnswer(rest, expected);
    if (bare) found[expected] = bare;
  }
  return found;
}

/**
 * A short reply right after a question answers it: "Jane Doe" after "may I
 * have your name?", "Acme" after "which company?".
 */
function readBareAnswer(text: string, expected: Slot): string | undefined {
  const answer = trimPunctuation(text.trim());
  const words = answer.split(/\s+/).filter(Boolean);
  if (words.length === 0 || words.length > 4 || answer.includes("?") || isGreeting(answer)) return undefined;
  if (startsWithNonAnswer(answer)) return undefined;
  switch (expected) {
    case "name":
      return looksLikeName(words) ? words.map(capitalise).join(" ") : undefined;
    case "company":
      return answer;
    case "budget":
      return /\d/.test(answer) ? answer : undefined;
    case "timeline":
      return answer;
    case "email":
      return undefined;
  }
}

function startsWithNonAnswer(text: string): boolean {
  return NON_ANSWERS.has(text.split(/\s+/)[0]?.toLowerCase() ?? "");
}

/** "jane doe" or "Jane", but not "I want pricing". */
function looksLikeName(words: string[]): boolean {
  return (
    words.length <= 3 &&
    words.every((w) => /^[\p{L}'-]{2,20}$/u.test(w) && !NOT_NAME_WORDS.has(w.toLowerCase()))
  );
}

function trimPunctuation(text: string): string {
  return text.replace(/^[\s"'“”]+|[\s.,!?;:"'“”]+$/g, "");
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
