import { describe, expect, it } from "vitest";

import type { AlertRule } from "../api/types";
import {
  buildRuleUpdate,
  describeLimits,
  describeRule,
  describeWindow,
  formatThreshold,
  parseThreshold,
  toDisplayValue,
  toThreshold,
  unitSymbol,
  windowLabel,
} from "./rule-format";

// The API's rules as alerts.rules lists them by default (limits as in ALERT_RULE_KIND_INFO).
const rule = (overrides: Partial<AlertRule> & Pick<AlertRule, "kind" | "unit" | "limits" | "threshold">): AlertRule => ({
  id: `rule-${overrides.kind}`,
  label: overrides.kind,
  forMinutes: overrides.unit === "usd" ? null : 5,
  enabled: true,
  updatedAt: "2026-01-01T12:00:00.000Z",
  updatedBy: null,
  ...overrides,
});
const p95 = rule({ kind: "p95_total_above", label: "p95 total time above", unit: "ms", limits: { min: 1, max: 600_000 }, threshold: 8_000 });
const errors = rule({ kind: "error_rate_above", label: "Error rate above", unit: "ratio", limits: { min: 0.0001, max: 1 }, threshold: 0.05 });
const cost = rule({ kind: "daily_cost_above", label: "Model cost today above", unit: "usd", limits: { min: 0.01, max: 1_000_000 }, threshold: 50 });

describe("thresholds in the admin's unit", () => {
  it("shows an error rate's share as a percentage, and takes a percentage back as a share", () => {
    expect(toDisplayValue("ratio", 0.05)).toBe(5);
    expect(toDisplayValue("ratio", 0.0001)).toBe(0.01);
    // Float noise does not leak into the form: 0.0555 × 100 is 5.550000000000001.
    expect(toDisplayValue("ratio", 0.0555)).toBe(5.55);
    expect(toThreshold("ratio", 5)).toBe(0.05);
    expect(toThreshold("ratio", 5.55)).toBe(0.0555);
    expect(toThreshold("ratio", 100)).toBe(1);
    for (const percent of [0.01, 0.07, 1.1, 2.5, 33.33, 99.99]) expect(toDisplayValue("ratio", toThreshold("ratio", percent))).toBe(percent);
  });

  it("keeps milliseconds and dollars as they are", () => {
    expect(toDisplayValue("ms", 8_000)).toBe(8_000);
    expect(toThreshold("ms", 8_000)).toBe(8_000);
    expect(toDisplayValue("usd", 12.5)).toBe(12.5);
    expect(toThreshold("usd", 0.01)).toBe(0.01);
  });

  it("words thresholds and limits in each unit", () => {
    expect(formatThreshold(p95)).toBe("8,000 ms");
    expect(formatThreshold(errors)).toBe("5 %");
    expect(formatThreshold({ unit: "ratio", threshold: 0.025 })).toBe("2.5 %");
    expect(formatThreshold(cost)).toBe("$50.00");
    expect(describeLimits(p95)).toBe("1 ms to 600,000 ms");
    expect(describeLimits(errors)).toBe("0.01 % to 100 %");
    expect(describeLimits(cost)).toBe("$0.01 to $1,000,000");
    expect([unitSymbol("ms"), unitSymbol("ratio"), unitSymbol("usd")]).toEqual(["ms", "%", "USD"]);
  });
});

describe("the threshold field", () => {
  it("accepts a value within the rule's limits, converted for the API", () => {
    expect(parseThreshold(" 6000 ", p95)).toEqual({ ok: true, threshold: 6_000 });
    expect(parseThreshold("2.5", errors)).toEqual({ ok: true, threshold: 0.025 });
    expect(parseThreshold("0.01", errors)).toEqual({ ok: true, threshold: 0.0001 });
    expect(parseThreshold("100", errors)).toEqual({ ok: true, threshold: 1 });
    expect(parseThreshold("1000000", cost)).toEqual({ ok: true, threshold: 1_000_000 });
    expect(parseThreshold("12.50", cost)).toEqual({ ok: true, threshold: 12.5 });
  });

  it("refuses values outside the limits, saying what they are", () => {
    expect(parseThreshold("0", p95)).toEqual({ ok: false, message: "Enter a value from 1 ms to 600,000 ms" });
    expect(parseThreshold("600001", p95)).toEqual({ ok: false, message: "Enter a value from 1 ms to 600,000 ms" });
    // 150 % is a share of 1.5: above the API's maximum of 1.
    expect(parseThreshold("150", errors)).toEqual({ ok: false, message: "Enter a value from 0.01 % to 100 %" });
    expect(parseThreshold("0.00", errors)).toEqual({ ok: false, message: "Enter a value from 0.01 % to 100 %" });
    expect(parseThreshold("0", cost)).toEqual({ ok: false, message: "Enter a value from $0.01 to $1,000,000" });
  });

  it("refuses what is not a plain number, or more precise than the API keeps", () => {
    for (const text of ["", "  ", "abc", "-5", "1e3", "5 %", "Infinity"]) expect(parseThreshold(text, p95)).toEqual({ ok: false, message: "Enter a number" });
    expect(parseThreshold("8,000", p95)).toEqual({ ok: false, message: "Enter a number without commas, with a dot for decimals" });
    expect(parseThreshold("1500.5", p95)).toEqual({ ok: false, message: "Enter a whole number of ms" });
    expect(parseThreshold("1500.0", p95)).toEqual({ ok: true, threshold: 1_500 });
    expect(parseThreshold("2.555", errors)).toEqual({ ok: false, message: "Use at most 2 decimals" });
    expect(parseThreshold("0.001", cost)).toEqual({ ok: false, message: "Use at most 2 decimals" });
  });
});

describe("windows", () => {
  it("words a rule's window, or the day for the daily cost", () => {
    expect([5, 15, 60].map(windowLabel)).toEqual(["5 minutes", "15 minutes", "1 hour"]);
    expect(windowLabel(120)).toBe("2 hours");
    expect(describeWindow(15)).toBe("Last 15 minutes");
    expect(describeWindow(null)).toBe("Today so far (UTC)");
  });
});

describe("a rule's change", () => {
  it("sends only what changed", () => {
    expect(buildRuleUpdate(p95, { threshold: 6_000, forMinutes: 5, enabled: true })).toEqual({ kind: "p95_total_above", threshold: 6_000 });
    expect(buildRuleUpdate(p95, { threshold: 8_000, forMinutes: 15, enabled: false })).toEqual({ kind: "p95_total_above", forMinutes: 15, enabled: false });
    expect(buildRuleUpdate(errors, { threshold: 0.025, forMinutes: 60, enabled: true })).toEqual({ kind: "error_rate_above", threshold: 0.025, forMinutes: 60 });
  });

  it("never sends a window for the daily cost, and nothing when nothing changed", () => {
    expect(buildRuleUpdate(cost, { threshold: 75, forMinutes: null, enabled: true })).toEqual({ kind: "daily_cost_above", threshold: 75 });
    expect(buildRuleUpdate(cost, { threshold: 50, forMinutes: null, enabled: true })).toBeNull();
    expect(buildRuleUpdate(p95, { threshold: 8_000, forMinutes: 5, enabled: true })).toBeNull();
  });

  it("reads a rule in one line", () => {
    expect(describeRule(p95)).toBe("p95 total time above 8,000 ms, last 5 minutes, on");
    expect(describeRule({ ...cost, enabled: false })).toBe("Model cost today above $50.00, today so far (UTC), off");
  });

  it("shows dollar thresholds with cents, even above $1,000", () => {
    expect(formatThreshold({ ...cost, threshold: 1234.56 })).toBe("$1,234.56");
    expect(formatThreshold({ ...cost, threshold: 1000 })).toBe("$1,000.00");
    expect(formatThreshold({ ...cost, threshold: 0.5 })).toBe("$0.50");
  });
});
