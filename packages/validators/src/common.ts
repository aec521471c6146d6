import { z } from "zod";

/** C0 control characters other than tab, line feed and carriage return, and DEL. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export const uuid = z.uuid();

/** Visitor-typed text: trimmed, not empty, no control characters. Length limits are the caller's. */
export const visitorText = z
  .string()
  .trim()
  .min(1, "Message is empty")
  .refine((s) => !CONTROL_CHARACTERS.test(s), "Message contains control characters");

export const DEFAULT_MAX_MESSAGE_CHARS = 4000;
