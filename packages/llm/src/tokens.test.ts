import { describe, expect, it } from "vitest";

import { countPromptTokens, countTokens, fitToTokenBudget } from "./tokens";

describe("token counts", () => {
  it("counts with the model's tokenizer, not by characters", () => {
    // o200k_base: "hello world" is two tokens; a long run of one letter packs many characters a token.
    expect(countTokens("hello world")).toBe(2);
    expect(countTokens("")).toBe(0);
    expect(countTokens("a".repeat(400))).toBeLessThan(100);
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

  it("keeps a short history whole and drops everything when even the newest does not fit", () => {
    const history = [turn(1, 5), turn(2, 5)];
    expect(fitToTokenBudget(history, 1000)).toEqual(history);
    expect(fitToTokenBudget([turn(1, 500)], 100)).toEqual([]);
  });
});
