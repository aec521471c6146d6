import type { ContactInfo, QualificationSignals } from "@leadline/db/schema";

import { findCompany } from "./company";
import { findEmail } from "./email";
import { findJobTitle } from "./job-title";
import { findPersonName } from "./person-name";
import { DEFAULT_COUNTRY, findPhone } from "./phone";
import type { CountryCode } from "./phone";
import { findBudget, findNeed, findTeamSize, findTimeline } from "./signals";
import { capText, removeClauses } from "./text";

export type ChatMessage = { readonly role: "user" | "assistant"; readonly content: string };

export type ExtractOptions = {
  /** Country for numbers written without a prefix, usually from the site's settings. */
  readonly defaultCountry?: CountryCode;
};

export type FieldName = keyof ContactInfo | keyof QualificationSignals;

export type Extraction = {
  contact: ContactInfo;
  signals: QualificationSignals;
  /** Fields found in the latest user message, e.g. to announce "lead captured". */
  found: FieldName[];
};

/** Only this many of the latest user messages are read, keeping extraction O(1) per message. */
export const MAX_MESSAGES_READ = 20;

// Sentences addressed to the scoring machinery rather than to the sales team; they are dropped
// before extraction so that "I want to be marked as hot" cannot become a stated need.
const INSTRUCTION_TO_SCORER =
  /\b(?:ignore (?:all |any |the |your )?(?:previous|prior|above|earlier) (?:instructions|rules|prompts?)|system prompt|lead (?:score|status)|(?:my|the|your) score|mark (?:me|this lead|this) as|set (?:my|the|this) (?:lead|score|status)|qualify me|as (?:a )?hot lead)\b|\bscore\s*[:=]/iu;

/**
 * Contact details and qualification signals from a conversation. Only user messages are read:
 * the assistant's text is model output, not a fact about the visitor. Later messages override
 * earlier ones field by field; values that fail validation are never stored.
 */
export function extractEntities(messages: readonly ChatMessage[], options: ExtractOptions = {}): Extraction {
  const country = options.defaultCountry ?? DEFAULT_COUNTRY;
  const userTexts = messages
    .filter((message) => message.role === "user")
    .slice(-MAX_MESSAGES_READ)
    .map((message) => dropInstructions(capText(message.content)));
  const contact: ContactInfo = {};
  const signals: QualificationSignals = {};
  let found: FieldName[] = [];
  for (const text of userTexts) {
    const fields = readMessage(text, country);
    Object.assign(contact, fields.contact);
    Object.assign(signals, fields.signals);
    found = [...Object.keys(fields.contact), ...Object.keys(fields.signals)] as FieldName[];
  }
  return { contact, signals, found };
}

function dropInstructions(text: string): string {
  return removeClauses(text, (clause) => INSTRUCTION_TO_SCORER.test(clause));
}

function readMessage(text: string, country: CountryCode): { contact: ContactInfo; signals: QualificationSignals } {
  const budget = findBudget(text);
  return {
    contact: dropEmpty({
      name: findPersonName(text),
      email: findEmail(text),
      phone: findPhone(text, country),
      company: findCompany(text),
      jobTitle: findJobTitle(text),
    }),
    signals: dropEmpty({
      budget: budget?.value ?? null,
      timeline: findTimeline(text),
      teamSize: findTeamSize(text),
      need: findNeed(text),
    }),
  };
}

function dropEmpty<T extends Record<string, string | null>>(values: T): { [K in keyof T]?: string } {
  const result: { [K in keyof T]?: string } = {};
  for (const key of Object.keys(values) as (keyof T)[]) {
    const value = values[key];
    if (value !== null && value !== undefined) result[key] = value;
  }
  return result;
}
