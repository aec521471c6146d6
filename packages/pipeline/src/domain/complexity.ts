import { findEmail } from "./email";
import { capText } from "./text";

/** How much post-processing a message deserves (plan 5.1: fast, standard or full plan). */
export type Complexity = "simple" | "moderate" | "complex";

export type MessageContext = {
  /** User messages in the session so far, this one included. */
  readonly userMessageCount?: number;
};

const MAX_SMALL_TALK_WORDS = 6;
const MAX_SMALL_TALK_LENGTH = 60;

const SMALL_TALK_WORDS = new Set([
  "hi", "hello", "hey", "heya", "hiya", "yo", "howdy", "greetings", "good", "morning", "afternoon",
  "evening", "there", "all", "everyone", "folks", "thanks", "thank", "you", "thx", "ty", "tysm",
  "cheers", "much", "so", "very", "a", "lot", "appreciate", "it", "appreciated", "ok", "okay", "k",
  "kk", "alright", "cool", "great", "nice", "awesome", "perfect", "sounds", "got", "gotcha",
  "understood", "fine", "noted", "lol", "haha", "wow", "bye", "goodbye", "see", "ya", "later",
  "cya", "welcome", "how", "are", "is", "going", "doing", "whats", "what's", "up", "to", "meet",
  "again", "too", "well", "and", "oh", "ah", "hmm", "please", "sure", "makes", "sense", "love",
  "for", "the", "your", "help", "that", "time", "yes", "yeah", "yep", "yup", "no", "nope", "nah",
  "absolutely", "definitely", "of", "course",
]);
// A bare "yes" after the assistant's first questions likely answers a qualifying question
// ("Would you like a demo?"), so it earns the standard plan.
const ANSWERS = new Set(["yes", "yeah", "yep", "yup", "sure", "no", "nope", "nah", "absolutely", "definitely", "of", "course", "please"]);

const BUYING_WORDS =
  /\b(?:budget|pric(?:e|es|ed|ing)|costs?|quote|quotation|demo|contract|seats?|licen[cs](?:e|es|ing)|procurement|purchas(?:e|ing)|buy(?:ing)?|invoice|billing|subscription|subscribe|trial|discount|rfp|proposal|sign(?:ing)? up|onboarding|deadline|timeline|asap|urgent(?:ly)?|roll ?out|implementation|how much|per (?:month|year|user|seat)|decision maker|stakeholders|employees|headcount|team of|(?:free|paid|pro|business|team|enterprise) (?:plan|tier)s?|upgrade|book(?:ing)? a (?:call|meeting)|(?:talk|speak) (?:to|with) (?:sales|someone))\b/iu;
// Team sizes qualify a lead; user or visitor counts describe traffic and do not.
const TEAM_SIZE = /\b\d[\d,]*\+?\s?(?:people|employees|staff|engineers|developers|reps|agents|seats)\b|\b\d+[- ]person\b/iu;
const MONEY = /[$€£¥₹]\s?\d|\b\d+(?:[.,]\d+)?\s?(?:k|usd|eur|gbp|dollars|euros)\b/iu;
const TIMELINE =
  /\b(?:next (?:week|month|quarter|year)|this (?:week|month|quarter)|q[1-4]|(?:by|before) (?:the )?end of|(?:in|within) (?:\d+|a|one|two|three|a few|a couple of) (?:days?|weeks?|months?))\b/iu;
const DATE = /^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$/u;
const MIN_PHONE_DIGITS = 7;
const UNSEPARATED_PHONE_DIGITS = 10;

/**
 * Simple: greetings, thanks, acknowledgements and very short small talk ("hi", "thanks", "👍").
 * Complex: contact details or buying signals (budget, timeline, pricing, demo, contract…).
 * Moderate: everything else, e.g. an ordinary product question.
 */
export function classifyMessage(text: string, context: MessageContext = {}): Complexity {
  const capped = capText(text);
  if (hasContactDetails(capped) || hasBuyingSignal(capped)) return "complex";
  const words = splitWords(capped);
  if (!isSmallTalk(capped, words)) return "moderate";
  const answersQuestion = words.length > 0 && words.every((word) => ANSWERS.has(word));
  return answersQuestion && (context.userMessageCount ?? 1) > 1 ? "moderate" : "simple";
}

function splitWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]/gu, " ")
    .split(/\s+/u)
    .filter((word) => word !== "");
}

// Emoji and punctuation alone ("👍", "!!") count as acknowledgements.
function isSmallTalk(text: string, words: readonly string[]): boolean {
  return (
    text.trim().length <= MAX_SMALL_TALK_LENGTH &&
    words.length <= MAX_SMALL_TALK_WORDS &&
    words.every((word) => SMALL_TALK_WORDS.has(word))
  );
}

function hasBuyingSignal(text: string): boolean {
  return [BUYING_WORDS, MONEY, TEAM_SIZE, TIMELINE].some((pattern) => pattern.test(text));
}

function hasContactDetails(text: string): boolean {
  return findEmail(text) !== null || hasPhoneLikeNumber(text);
}

// A cheap stand-in for libphonenumber: a run of digits and phone separators holding a number's
// worth of digits. "+" or a separator makes 7 digits enough; unseparated runs need 10, so that
// "1500000 users" stays a plain number. Dates are skipped.
function hasPhoneLikeNumber(text: string): boolean {
  for (const run of text.match(/\+?\d[\d\s().-]*\d/gu) ?? []) {
    const trimmed = run.trim();
    const digits = trimmed.replace(/\D/g, "").length;
    if (DATE.test(trimmed) || digits < MIN_PHONE_DIGITS) continue;
    const isSeparated = trimmed.startsWith("+") || /[\s().-]/u.test(trimmed);
    if (isSeparated || digits >= UNSEPARATED_PHONE_DIGITS) return true;
  }
  return false;
}
