import { describe, expect, it } from "vitest";

import { plainText, visitorText } from "./common";

describe("plainText", () => {
  it("takes what people type: letters of any script, emoji, tabs and line breaks", () => {
    for (const text of ["Hello", "Grüße, 你好, مرحبا", "👋🏽 family: 👨‍👩‍👧", "two\nlines\r\n\tindented", ""]) {
      expect(plainText.safeParse(text).success, JSON.stringify(text)).toBe(true);
    }
  });

  it("refuses NUL, other control characters and half a surrogate pair, saying why", () => {
    for (const text of ["a\u0000b", "\u0007bell", "esc \u001b[31m", "del\u007f", "c1 \u0085", "\uD83D alone", "\uDC4B alone", "end \uD83D"]) {
      const result = plainText.safeParse(text);
      expect(result.success, JSON.stringify(text)).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/control characters/);
    }
  });

  it("keeps its check when limits and trimming are chained after it", () => {
    const name = plainText.trim().min(1).max(5);
    expect(name.parse("  abc ")).toBe("abc");
    expect(name.safeParse("ab\u0000").success).toBe(false);
    expect(name.safeParse("abcdef").success).toBe(false);
  });

  it("visitorText refuses the same characters", () => {
    expect(visitorText.safeParse("hi\u0000").success).toBe(false);
    expect(visitorText.safeParse("hi \uD83D").success).toBe(false);
    expect(visitorText.parse("  hi 👋 ")).toBe("hi 👋");
  });
});
