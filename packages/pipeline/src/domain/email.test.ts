import { describe, expect, it } from "vitest";

import { findEmail, findEmails, getEmailDomain, parseEmail } from "./email";

describe("parseEmail", () => {
  it.each([
    ["ana@acme.com", "ana@acme.com"],
    ["Ana.Lopez@ACME.com", "Ana.Lopez@acme.com"],
    ["ana+crm@acme.com", "ana+crm@acme.com"],
    ["ana@mail.eu.acme.co.uk", "ana@mail.eu.acme.co.uk"],
    ["ivan@xn--e1afmkfd.xn--p1ai", "ivan@xn--e1afmkfd.xn--p1ai"],
    ["o'brien@acme.ie", "o'brien@acme.ie"],
    ["(ana@acme.com).", "ana@acme.com"],
    ["<ana@acme.com>,", "ana@acme.com"],
    ['"ana@acme.com"', "ana@acme.com"],
    ["mailto:ana@acme.com", "ana@acme.com"],
    ["first_last-1@sub-domain.acme.io", "first_last-1@sub-domain.acme.io"],
  ])("accepts %s as %s", (raw, expected) => {
    expect(parseEmail(raw)).toBe(expected);
  });

  it.each([
    ["a@b", "single-label domain"],
    ["user@localhost", "no top-level domain"],
    ["foo@bar..com", "empty domain label"],
    ["ana.@acme.com", "trailing dot in the local part"],
    [".ana@acme.com", "leading dot in the local part"],
    ["ana..lopez@acme.com", "doubled dot in the local part"],
    ["user@example.", "domain ending in a dot"],
    ["x@y.c", "one-letter top-level domain"],
    ["x@-acme.com", "label starting with a hyphen"],
    ["x@acme-.com", "label ending with a hyphen"],
    ["a@b@acme.com", "two @ signs"],
    ["ana@acme_corp.com", "underscore in the domain"],
    ["ana@acme.123", "numeric top-level domain"],
    ["ana@acme.com/path", "URL path"],
    ["@acme.com", "empty local part"],
    ["ana acme.com", "no @ at all"],
    [`${"a".repeat(65)}@acme.com`, "local part over 64 characters"],
    [`ana@${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(60)}.com`, "over 254 characters"],
    ["ivan@пример.рф", "non-ASCII domain (only punycode is accepted)"],
  ])("rejects %s (%s)", (raw) => {
    expect(parseEmail(raw)).toBeNull();
  });
});

describe("findEmails", () => {
  it("finds addresses between prose punctuation and labels", () => {
    const text = "Write to ana@acme.com. Or email:bob@acme.io, cc <carol@globex.org>; not a@b or me@home";
    expect(findEmails(text)).toEqual(["ana@acme.com", "bob@acme.io", "carol@globex.org"]);
  });

  it("returns each address once, comparing domains case-insensitively", () => {
    const text = "ana@acme.com, again ana@ACME.COM, and bob@acme.io";
    expect(findEmails(text)).toEqual(["ana@acme.com", "bob@acme.io"]);
    expect(findEmail(text)).toBe("ana@acme.com");
  });

  it("finds nothing in text without a valid address", () => {
    expect(findEmail("my handle is @ana on twitter, mail me at ana at acme dot com")).toBeNull();
  });

  it("ignores addresses past the 4,000-character cap", () => {
    expect(findEmail(`${"x ".repeat(2_000)} ana@acme.com`)).toBeNull();
  });
});

describe("getEmailDomain", () => {
  it("returns the lower-cased domain", () => {
    const email = parseEmail("Ana@Sales.ACME.com");
    expect(email && getEmailDomain(email)).toBe("sales.acme.com");
  });
});
