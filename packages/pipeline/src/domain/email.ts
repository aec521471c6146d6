import type { Brand } from "./brand";
import { capText } from "./text";

/** A syntactically valid address with a lower-cased domain; the local part keeps its case. */
export type Email = Brand<string, "Email">;

const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;

// Unquoted RFC 5322 atoms separated by single dots: no leading, trailing or doubled dots.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// Alphabetic TLDs, or punycode ones such as "xn--p1ai".
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
// Characters that can surround an address in prose but never belong to one.
const SURROUNDING = /^[\s<([{"'`*_~]+|[\s>)\]}"'`*_~.,;:!?]+$/g;
// Separators between candidate addresses in free text; none may appear in an unquoted address.
const SEPARATORS = /[\s,;<>()[\]{}"]+/u;

/**
 * Validates one address, tolerating the punctuation prose puts around it ("(ana@x.com).") and a
 * "mailto:" prefix. Rejects dotless or single-label domains (user@localhost, a@b), empty labels,
 * dots at either end of the local part, and addresses longer than 254 characters.
 */
export function parseEmail(raw: string): Email | null {
  if (raw.length > MAX_EMAIL_LENGTH * 2) return null;
  const trimmed = raw.replace(SURROUNDING, "").replace(/^mailto:/i, "");
  if (trimmed.length > MAX_EMAIL_LENGTH) return null;
  const at = trimmed.lastIndexOf("@");
  if (at <= 0) return null;
  const local = trimmed.slice(0, at);
  const domain = trimmed.slice(at + 1).toLowerCase();
  if (local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) return null;
  if (!isValidDomain(domain)) return null;
  return `${local}@${domain}` as Email;
}

function isValidDomain(domain: string): boolean {
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  const topLevel = labels[labels.length - 1] ?? "";
  return (
    labels.every((label) => label.length <= MAX_LABEL_LENGTH && LABEL.test(label)) &&
    TOP_LEVEL.test(topLevel)
  );
}

/** Every valid address in free text, in order of appearance, without duplicates. */
export function findEmails(text: string): Email[] {
  const capped = capText(text);
  if (!capped.includes("@")) return [];
  const found = new Set<Email>();
  for (const candidate of capped.split(SEPARATORS)) {
    if (!candidate.includes("@")) continue;
    const email = parseEmail(candidate.replace(/^[^@]*:(?=[^@:]*@)/, ""));
    if (email !== null) found.add(email);
  }
  return [...found];
}

export function findEmail(text: string): Email | null {
  return findEmails(text)[0] ?? null;
}

export function getEmailDomain(email: Email): string {
  return email.slice(email.lastIndexOf("@") + 1);
}
