import { estimateTokens } from "../tokens";
import { findFacts, isGreeting, slots, type Facts, type Slot } from "./facts";

export type Turn = { role: string; content: string };

const DEMO_NOTICE = "(You're chatting with Leadline's offline demo model.)";

const QUESTIONS: Record<Slot, string> = {
  name: "To get started, may I have your name?",
  email: "What's the best email address to reach you at?",
  company: "Which company are you with?",
  budget: "Roughly what budget do you have in mind for this?",
  timeline: "And when are you hoping to get started?",
};

const ACKNOWLEDGEMENTS: Record<Slot, (value: string) => string> = {
  name: (v) => `Nice to meet you, ${v}!`,
  email: (v) => `Thanks, I've noted ${v}.`,
  company: (v) => `Great to hear from ${v}.`,
  budget: (v) => `A budget of ${v}, noted.`,
  timeline: (v) => `Timeline noted: ${v}.`,
};

// Deterministic padding for fixed-length replies (the benchmark wants a steady token count).
const FILLER = [
  "Leadline answers website visitors instantly and routes qualified leads to the right person on your team.",
  "Most teams see their first qualified conversations within a day of adding the widget.",
  "Everything you share stays with our sales team and is only used to follow up with you.",
  "Setup takes a single script tag, and the assistant learns your products from your existing pages.",
  "Pricing scales with conversations, so small teams can start without a large commitment.",
].join(" ");

/**
 * The demo sales assistant: reads every user message, asks for the first
 * missing fact (name, email, company, budget, timeline), one at a time,
 * acknowledging what the last message gave.
 */
export function writeReply(turns: readonly Turn[], replyTokens?: number): string {
  const userTexts = turns.filter((t) => t.role === "user").map((t) => t.content);
  const { known, latest } = gatherFacts(userTexts);
  const lastText = userTexts.at(-1) ?? "";
  const missing = nextMissing(known);
  const opening = describeOpening(latest, lastText, userTexts.length);
  const closing = missing ? QUESTIONS[missing] : describeWrapUp(known);
  return replyTokens === undefined
    ? [opening, closing, DEMO_NOTICE].join(" ")
    : fitToTokens(opening, `${closing} ${DEMO_NOTICE}`, replyTokens);
}

/**
 * What the visitor has told us over the conversation, reading each message as
 * the answer to the question the script would have asked just before it.
 * `latest` is what the last message gave.
 */
export function gatherFacts(userTexts: readonly string[]): { known: Facts; latest: Facts } {
  const known: Facts = {};
  let latest: Facts = {};
  for (const text of userTexts) {
    latest = findFacts(text, nextMissing(known));
    Object.assign(known, withoutKnown(latest, known));
  }
  return { known, latest };
}

function nextMissing(known: Facts): Slot | undefined {
  return slots.find((slot) => !known[slot]);
}

/** A visitor repeating a fact is not news; the first value stays. */
function withoutKnown(found: Facts, known: Facts): Facts {
  return Object.fromEntries(Object.entries(found).filter(([slot]) => !known[slot as Slot]));
}

function describeOpening(latest: Facts, lastText: string, userTurns: number): string {
  const acknowledged = slots.flatMap((slot) => {
    const value = latest[slot];
    return value ? [ACKNOWLEDGEMENTS[slot](value)] : [];
  });
  if (acknowledged.length > 0) return acknowledged.join(" ");
  if (isGreeting(lastText)) return "Hi there! I can help you find out whether Leadline fits your team.";
  return userTurns <= 1 ? "Happy to help with that." : "Thanks for the details.";
}

function describeWrapUp(known: Facts): string {
  return (
    `Thank you, ${known.name}! I have everything I need: ${known.company}, a budget of ${known.budget}, ` +
    `starting ${known.timeline}. A teammate will follow up at ${known.email} shortly.`
  );
}

/**
 * About `target` tokens: filler goes between the acknowledgement and the
 * question so the reply still ends by asking; a reply already too long loses
 * the end of its acknowledgement first.
 */
function fitToTokens(opening: string, ending: string, target: number): string {
  const reply = `${opening} ${ending}`;
  const missingTokens = target - estimateTokens(reply);
  if (missingTokens < 0) {
    const room = target - estimateTokens(ending) - 1;
    return room > 0 ? `${cutToTokens(opening, room)} ${ending}` : cutToTokens(ending, target);
  }
  if (missingTokens < 2) return reply;
  const repeats = Math.ceil((missingTokens * 4) / FILLER.length) + 1;
  const filler = cutToTokens(Array.from({ length: repeats }, () => FILLER).join(" "), missingTokens - 1);
  return `${opening} ${filler.replace(/[.,]?$/, ".")} ${ending}`;
}

function cutToTokens(text: string, target: number): string {
  let kept = "";
  for (const word of text.split(" ")) {
    const next = kept ? `${kept} ${word}` : word;
    if (estimateTokens(next) > target) break;
    kept = next;
  }
  return kept;
}
