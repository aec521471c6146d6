import { describe, expect, it } from "vitest";

import { countPromptTokens, countTokens, fitToTokenBudget, tokenUpperBound } from "./tokens";

describe("token counts", () => {
  it("counts with the model's tokenizer, not by characters", () => {
    // o200k_base: "hello world" is two tokens; a long run of one letter packs many characters a token.
    expect(countTokens("hello world")).toBe(2);
    expect(countTokens("")).toBe(0);
    expect(countTokens("a".repeat(400))).toBeLessThan(100);
  });

  it("bounds a text's tokens by its UTF-8 bytes, never below the count", () => {
    const texts = ["hello world", "a".repeat(400), "Grüße aus München, ça va?", "東京で会いましょう", "🙂🚀 emoji 👩‍💻", "x", "\n\n\t  spaced   out  ", "€15k within 3 months"];
    for (const text of texts) expect(tokenUpperBound(text)).toBeGreaterThanOrEqual(countTokens(text));
    expect(tokenUpperBound("东京")).toBe(6);
  });

  it("frames each message of a prompt", () => {
    const messages = [{ content: "hello world" }, { content: "hello world" }];
    expect(countPromptTokens(messages)).toBe(2 * (2 + 3) + 3);
  });
});

describe("fitting history to a token budget", () => {
  const turn = (n: number, words: number) => ({ role: "user" as const, content: `message ${n}: ${"lead ".repeat(words)}` });

  it("keeps the newest messages that fit, oldest first", () => {
    const history = [turn(1, 100), turn(2, 100), turn(3, 100), turn(4, 10)];
    const framed = (m: { content: string }) => countTokens(m.content) + 3;
    const kept = fitToTokenBudget(history, framed(history[2]!) + framed(history[3]!) + 1);
    expect(kept.map((m) => m.content.slice(0, 10))).toEqual(["message 3:", "message 4:"]);
  });

  it("keeps what exact counting keeps when the history's bytes alone would pass the budget", () => {
    const history = [turn(1, 40), turn(2, 40), turn(3, 40)];
    const bytes = history.reduce((sum, m) => sum + tokenUpperBound(m.content) + 3, 0);
    const tokens = history.reduce((sum, m) => sum + countTokens(m.content) + 3, 0);
    // Between the token count and the byte bound: the fast path cannot decide, the exact count keeps all three.
    expect(fitToTokenBudget(history, tokens)).toEqual(history);
    expect(fitToTokenBudget(history, bytes - 1)).toEqual(history);
    expect(fitToTokenBudget(history, tokens - 1)).toHaveLength(2);
  });

  it("keeps a short history whole and drops everything when even the newest does not fit", () => {
    const history = [turn(1, 5), turn(2, 5)];
    expect(fitToTokenBudget(history, 1000)).toEqual(history);
    expect(fitToTokenBudget([turn(1, 500)], 100)).toEqual([]);
  });
});
