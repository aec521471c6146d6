import { describe, expect, it } from "vitest";

import { findPhone, parsePhone } from "./phone";
import type { CountryCode } from "./phone";

describe("findPhone", () => {
  it.each<[string, CountryCode, string]>([
    ["call me on +44 20 7946 0958", "US", "+442079460958"],
    ["Berlin office: +49 30 901820", "US", "+4930901820"],
    ["my cell is (415) 555-2671", "US", "+14155552671"],
    ["Tokyo: +81 3-1234-5678.", "US", "+81312345678"],
    ["ring me on 020 7946 0958", "GB", "+442079460958"],
    ["mobile 07911 123456", "GB", "+447911123456"],
    ["415.555.2671 works best", "US", "+14155552671"],
    ["tel:+1-415-555-2671 ext. 22", "DE", "+14155552671"],
    ["+44 (0)20 7946 0958", "US", "+442079460958"],
    ["from abroad dial 0049 30 901820", "DE", "+4930901820"],
    ["+33 1 23 45 67 89", "US", "+33123456789"],
    ["+91 98765 43210", "US", "+919876543210"],
  ])("finds %s (default %s) as %s", (text, country, expected) => {
    expect(findPhone(text, country)).toBe(expected);
  });

  it("defaults to US numbering", () => {
    expect(findPhone("call 415 555 2671")).toBe("+14155552671");
  });

  it("reads a national number by the site's country, not always as US", () => {
    expect(findPhone("020 7946 0958", "US")).toBeNull();
    expect(findPhone("(415) 555-2671", "GB")).toBeNull();
  });

  it.each<[string, CountryCode]>([
    ["we start on 2024-05-01", "DE"],
    ["deadline 05/01/2024", "US"],
    ["deadline 01.05.2024", "DE"],
    ["the budget is $20,000", "US"],
    ["maybe €2,000,000 in total", "DE"],
    ["our zip is 94107", "US"],
    ["extension 12345", "US"],
    ["call 555-1234", "US"],
    ["+49 30 1234", "DE"],
    ["+1 555 0100", "US"],
    ["order #12345678901234", "US"],
    ["we have 1500000 users", "US"],
    ["server at 192.168.0.1", "US"],
    ["meet at 10:30 tomorrow", "GB"],
  ])("finds no phone in %s (default %s)", (text, country) => {
    expect(findPhone(text, country)).toBeNull();
  });

  it("skips an invalid number and returns the next valid one", () => {
    expect(findPhone("not 555-1234 but (415) 555-2671", "US")).toBe("+14155552671");
  });
});

describe("parsePhone", () => {
  it("validates a bare number from a form field", () => {
    expect(parsePhone(" +44 20 7946 0958 ")).toBe("+442079460958");
    expect(parsePhone("020 7946 0958", "GB")).toBe("+442079460958");
  });

  it("rejects anything that is not only a phone number", () => {
    expect(parsePhone("call me at 415 555 2671")).toBeNull();
    expect(parsePhone("2024-05-01", "DE")).toBeNull();
    expect(parsePhone("12345")).toBeNull();
  });
});
