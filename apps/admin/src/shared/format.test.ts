import { describe, expect, it } from "vitest";

import { formatAgo, formatCount, formatDateTime, formatDuration, formatMs, formatPercent, formatRate, formatUsd, wordsOf } from "./format";

describe("durations and rates", () => {
  it("formats milliseconds, and a missing value as a dash", () => {
    expect(formatMs(42.4)).toBe("42 ms");
    expect(formatMs(1234)).toBe("1.23 s");
    expect(formatMs(12_345)).toBe("12.3 s");
    expect(formatMs(null)).toBe("—");
    expect(formatMs(Number.NaN)).toBe("—");
  });

  it("formats shares", () => {
    expect(formatRate(0.0123)).toBe("1.2 %");
    expect(formatRate(0)).toBe("0.0 %");
    expect(formatRate(null)).toBe("—");
    expect(formatPercent(0.876)).toBe("88 %");
    expect(formatPercent(null)).toBe("—");
  });

  it("says how long something lasted", () => {
    expect(formatDuration(4_400)).toBe("4 s");
    expect(formatDuration(12 * 60_000)).toBe("12 min");
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000)).toBe("3 h 5 min");
    expect(formatDuration(2 * 3_600_000)).toBe("2 h");
    expect(formatDuration(52 * 3_600_000)).toBe("2 days 4 h");
  });
});

describe("money and counts", () => {
  it("shows fractions of a cent with three significant digits", () => {
    expect(formatUsd(0)).toBe("$0");
    expect(formatUsd(0.000123456)).toBe("$0.000123");
    expect(formatUsd(0.0421)).toBe("$0.0421");
    expect(formatUsd(0.05)).toBe("$0.05");
    expect(formatUsd(0.4239)).toBe("$0.42");
    expect(formatUsd(12.346)).toBe("$12.35");
    expect(formatUsd(1234.5)).toBe("$1,235");
    expect(formatUsd(null)).toBe("—");
  });

  it("groups thousands", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(0)).toBe("0");
  });
});

describe("times", () => {
  it("says how long ago", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(formatAgo("2026-01-01T11:59:50Z", now)).toBe("just now");
    expect(formatAgo("2026-01-01T11:48:00Z", now)).toBe("12 min ago");
    expect(formatAgo("2026-01-01T09:00:00Z", now)).toBe("3 h ago");
    expect(formatAgo("2025-12-30T12:00:00Z", now)).toBe("2 days ago");
    expect(formatAgo("2026-01-01T12:00:05Z", now)).toBe("just now"); // a clock slightly ahead
  });

  it("writes a date and time", () => {
    expect(formatDateTime("2026-03-05T14:07:00Z", "UTC")).toBe("5 Mar 2026, 14:07");
  });
});

describe("code names", () => {
  it("reads them as words", () => {
    expect(wordsOf("workEmail")).toBe("Work email");
    expect(wordsOf("team_size")).toBe("Team size");
    expect(wordsOf("p95TotalMs")).toBe("P95 total ms");
    expect(wordsOf("budget")).toBe("Budget");
  });
});
