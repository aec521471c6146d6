import { findPhoneNumbersInText, parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { CountryCode, PhoneNumber } from "libphonenumber-js/max";

import type { Brand } from "./brand";
import { capText } from "./text";

/** A valid phone number in E.164 form, e.g. "+442079460958". */
export type Phone = Brand<string, "Phone">;

export type { CountryCode };

export const DEFAULT_COUNTRY: CountryCode = "US";

// Numbers this short are valid somewhere but far more often are extensions, PINs or order ids.
const MIN_NATIONAL_DIGITS = 7;
const MAX_RAW_PHONE_LENGTH = 40;
const DATE_SHAPE = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$/;
const AFTER_CURRENCY = /(?:[$€£¥₹]|\b(?:usd|eur|gbp|cad|aud))\s*$/i;
const DIGIT_RUN = /[+(]?\d[\d\s().\-/]*\d/gu;
const MAX_RUN_LENGTH = 80;
const PHONE_CHARACTERS = /^\+?[\d\s().\-/]+(?:\s*(?:ext\.?|x|#)\s*\d{1,6})?$/i;

/**
 * The first valid phone number in free text. Numbers without a country prefix are read as
 * `defaultCountry` (the site's country), so "020 7946 0958" is London only for "GB".
 */
export function findPhone(text: string, defaultCountry: CountryCode = DEFAULT_COUNTRY): Phone | null {
  const capped = capText(text);
  // libphonenumber is only shown digit runs of phone length: on long runs of digits and spaces
  // it is slow, and no phone number is hidden in one.
  for (const run of capped.matchAll(DIGIT_RUN)) {
    const start = run.index ?? 0;
    const before = capped.slice(Math.max(0, start - 5), start);
    if (!isCandidateRun(run[0]) || AFTER_CURRENCY.test(before) || /[\p{L}\p{N}]$/u.test(before)) continue;
    for (const found of findPhoneNumbersInText(run[0], { defaultCountry })) {
      const phone = acceptNumber(run[0].slice(found.startsAt, found.endsAt), found.number);
      if (phone !== null) return phone;
    }
  }
  return null;
}

function isCandidateRun(run: string): boolean {
  return run.length <= MAX_RUN_LENGTH && run.replace(/\D/g, "").length >= MIN_NATIONAL_DIGITS;
}

/** Validates a value that should be nothing but a phone number, e.g. from a form field. */
export function parsePhone(raw: string, defaultCountry: CountryCode = DEFAULT_COUNTRY): Phone | null {
  const trimmed = raw.trim();
  if (trimmed.length > MAX_RAW_PHONE_LENGTH || !PHONE_CHARACTERS.test(trimmed)) return null;
  const number = parsePhoneNumberFromString(trimmed, { defaultCountry });
  return number === undefined ? null : acceptNumber(trimmed, number);
}

function acceptNumber(raw: string, number: PhoneNumber): Phone | null {
  if (DATE_SHAPE.test(raw.trim())) return null;
  if (number.nationalNumber.length < MIN_NATIONAL_DIGITS || !number.isValid()) return null;
  return number.number as Phone;
}
