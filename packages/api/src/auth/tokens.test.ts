import { createHash } from "node:crypto";

import { describe, expect, it } from "vitest";

import { hashSessionToken, looksLikeSessionToken, newSessionToken } from "./tokens";

describe("session tokens", () => {
  it("are 32 random bytes in base64url, a new one each time", () => {
    const a = newSessionToken();
    expect(Buffer.from(a, "base64url")).toHaveLength(32);
    expect(looksLikeSessionToken(a)).toBe(true);
    expect(newSessionToken()).not.toBe(a);
  });

  it("are stored as their SHA-256 in hex, which is not itself a token", () => {
    const token = newSessionToken();
    const hash = hashSessionToken(token);
    expect(hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(looksLikeSessionToken(hash)).toBe(false);
  });

  it("refuses anything else before it reaches the database", () => {
    for (const value of [undefined, "", "x".repeat(42), "x".repeat(44), `${"x".repeat(42)}=`, `${"x".repeat(42)};`]) {
      expect(looksLikeSessionToken(value)).toBe(false);
    }
  });
});
