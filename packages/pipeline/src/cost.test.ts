import { describe, expect, it } from "vitest";

import { computeCost } from "./cost";

const gpt4oMini = { inputPerMillion: "0.150000", cachedInputPerMillion: "0.075000", outputPerMillion: "0.600000" };
const usage = (promptTokens: number, cachedPromptTokens: number, completionTokens: number) => ({ promptTokens, cachedPromptTokens, completionTokens, estimated: false });

describe("computeCost", () => {
  it("bills uncached prompt, cached prompt and output tokens at their own rates", () => {
    // 2,000 prompt tokens of which 1,024 cached, 180 output:
    // 976 × 0.15 + 1,024 × 0.075 + 180 × 0.60 per million = 0.0001464 + 0.0000768 + 0.000108
    expect(computeCost(usage(2000, 1024, 180), gpt4oMini)).toEqual({
      priced: true,
      usd: "0.00033120",
      breakdown: { input: "0.00014640", cachedInput: "0.00007680", output: "0.00010800" },
    });
  });

  it("is exact where floating point is not", () => {
    // 0.1 + 0.2 style drift would show up in the 8th decimal.
    const cost = computeCost(usage(3, 0, 3), { inputPerMillion: "0.100000", cachedInputPerMillion: "0", outputPerMillion: "0.200000" });
    expect(cost.usd).toBe("0.00000090"); // 3 × 0.1 + 3 × 0.2 per million
    expect(computeCost(usage(1_000_000, 0, 1_000_000), { inputPerMillion: "0.1", cachedInputPerMillion: "0", outputPerMillion: "0.2" }).usd).toBe("0.30000000");
  });

  it("an unknown model is unpriced, never $0", () => {
    expect(computeCost(usage(100, 0, 10), undefined)).toEqual({ priced: false, usd: null, breakdown: null });
  });

  it("never bills negative uncached tokens when the cache count exceeds the prompt", () => {
    expect(computeCost(usage(10, 64, 0), gpt4oMini).breakdown?.input).toBe("0.00000000");
  });
});
