import { z } from "zod";

/** C0 control characters other than tab, line feed and carriage return; DEL; and the C1 controls. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Half of a UTF-16 surrogate pair without its other half: no character at all. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True for text a person could have typed: see `plainText`. */
export function isPlainText(text: string): boolean {
  return !CONTROL_CHARACTERS.test(text) && !LONE_SURROGATE.test(text);
}

/**
 * Every free-text input (a comment, a site's name or prompt, a reason): no
 * control characters but tab and line breaks, no broken UTF-16. Postgres
 * refuses NUL in text and jsonb, which made such input a 500 instead of a
 * 400; the other controls are invisible on the admin's screens and in logs,
 * where they can hide or fake content, and a lone surrogate would be stored
 * as U+FFFD, not as sent. Chain length limits and trimming after it.
 */
export const plainText = z.string().refine(isPlainText, "must not contain control characters (only tabs and line breaks) or broken Unicode");

export const uuid = z.uuid();

/** Visitor-typed text: trimmed, not empty, plain text. Length limits are the caller's. */
export const visitorText = z
  .string()
  .trim()
  .min(1, "Message is empty")
  .refine(isPlainText, "Message contains control characters");

export const DEFAULT_MAX_MESSAGE_CHARS = 4000;
