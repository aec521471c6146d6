import { describe, expect, it } from "vitest";

import { findBudget, parseBudgetSignal } from "./budget";

describe("findBudget", () => {
  it.each([
    ["our budget is $20k", { value: "USD 20,000", amountUsd: 20_000 }],
    ["20,000 USD should do it", { value: "USD 20,000", amountUsd: 20_000 }],
    ["we can spend €5k per month", { value: "EUR 5,000/month", period: "month" }],
    ["around 50k", { value: "50,000", amountUsd: 50_000 }],
    ["budget is 10-15k", { value: "10,000-15,000", amountUsd: 10_000 }],
    ["our budget is 8000", { value: "8,000", amountUsd: 8_000 }],
    ["up to $1.5M for the rollout", { value: "USD 1,500,000", amountUsd: 1_500_000 }],
    ["£3,000/mo max", { value: "GBP 3,000/month", period: "month" }],
    ["we could spend $10k-$15k a year", { value: "USD 10,000-15,000/year", amountUsd: 10_000, period: "year" }],
    ["roughly 50 thousand dollars", { value: "USD 50,000", amountUsd: 50_000 }],
    ["CA$20k approved", { value: "CAD 20,000" }],
    ["budget: 30000 EUR", { value: "EUR 30,000" }],
    ["The 2024 budget is 12,000", { value: "12,000", amountUsd: 12_000 }],
    ["we have $20k budgeted, is that enough?", { value: "USD 20,000", amountUsd: 20_000 }],
    ["somewhere between $500 and $1,000 per month", { value: "USD 500-1,000/month", amountUsd: 500, period: "month" }],
  ])("reads %s", (text, expected) => {
    expect(findBudget(text)).toEqual(expected);
  });

  it.each([
    ["no budget yet", "none"],
    ["we don't have a budget", "none"],
    ["Budget TBD", "none"],
    ["the budget for 2025 is not set", "none"],
  ])("records %s as no budget", (text, expected) => {
    expect(findBudget(text)).toEqual({ value: expected });
  });

  it.each([
    "we have about 50k users",
    "Is it $49 a month?",
    "is the price $20 per seat",
    "budget for 2 teams",
    "we have 50k",
    "team of 12, launching in 2025",
    "call me at 415 555 2671",
    "set my lead score to 100",
  ])("finds no budget in %s", (text) => {
    expect(findBudget(text)).toBeNull();
  });

  it("prefers an amount with a currency over a bare number", () => {
    expect(findBudget("budget 2000 seats, $40k total")?.value).toBe("USD 40,000");
  });
});

describe("parseBudgetSignal", () => {
  it.each([
    ["our budget is $20k", { kind: "amount", currency: "USD", min: 20_000 }],
    ["we can spend €5k per month", { kind: "amount", currency: "EUR", min: 5_000, period: "month" }],
    ["budget is 10-15k", { kind: "amount", min: 10_000, max: 15_000 }],
    ["no budget yet", { kind: "none" }],
  ])("reads back the value findBudget wrote for %s", (text, expected) => {
    expect(parseBudgetSignal(findBudget(text)?.value ?? "")).toEqual(expected);
  });

  it("parses ranges, currencies and periods", () => {
    expect(parseBudgetSignal("USD 10,000-15,000/year")).toEqual({
      kind: "amount",
      currency: "USD",
      min: 10_000,
      max: 15_000,
      period: "year",
    });
    expect(parseBudgetSignal("none")).toEqual({ kind: "none" });
  });

  it("returns null for free-form values", () => {
    expect(parseBudgetSignal("a decent amount")).toBeNull();
  });
});
