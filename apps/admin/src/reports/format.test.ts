import { describe, expect, it } from "vitest";

import type { ReportBody } from "../api/types";
import { canGenerateReportFor, describeCache, describeListedAlerts, describeUnpriced, formatDay, isReportDay, latencyRows, reportStatus } from "./format";

const body: ReportBody = {
  version: 1,
  day: "2026-01-05",
  complete: false,
  messages: 3,
  errorRate: 0,
  totalMs: { p50: 900, p95: 1_400, p99: 1_500 },
  firstTokenMs: { p50: 120, p95: 180, p99: 200 },
  backgroundLagMs: { p50: 40, p95: 90, p99: 95, count: 3 },
  topStages: [],
  cache: { hits: 3, misses: 1, hitRate: 0.75 },
  cost: { totalUsd: 0.0042, pricedMessages: 3, unpricedMessages: 0, usdPerQualifiedLead: null },
  leads: { new: 1, captured: 1, qualified: 0 },
  satisfaction: { up: 1, down: 0, upRate: 1 },
  alerts: { opened: 0, listed: [] },
};

describe("report days", () => {
  it("takes only a real calendar day from the URL", () => {
    expect(isReportDay("2026-01-05")).toBe(true);
    expect(isReportDay("2024-02-29")).toBe(true);
    expect(isReportDay("2025-02-29")).toBe(false);
    expect(isReportDay("2026-13-01")).toBe(false);
    expect(isReportDay("2026-1-5")).toBe(false);
    expect(isReportDay("today")).toBe(false);
    expect(isReportDay(["2026-01-05"])).toBe(false);
    expect(isReportDay(undefined)).toBe(false);
  });

  it("names a day in UTC, whatever the admin's time zone", () => {
    expect(formatDay("2026-01-05")).toBe("Mon, 5 Jan 2026");
    expect(formatDay("2025-12-31")).toBe("Wed, 31 Dec 2025");
  });

  it("tells a finished day from one reported so far", () => {
    expect(reportStatus(true)).toEqual({ label: "Complete", tone: "good" });
    expect(reportStatus(false)).toEqual({ label: "So far", tone: "accent" });
  });
});

describe("a report's numbers", () => {
  it("lists total, first token and background lag with their percentiles", () => {
    expect(latencyRows(body).map((row) => [row.label, row.percentiles.p95])).toEqual([
      ["Total", 1_400],
      ["First token", 180],
      ["Background lag", 90],
    ]);
  });

  it("words the cache hit rate, or that nothing was looked up", () => {
    expect(describeCache(body.cache)).toBe("75 % of 4 lookups were hits");
    expect(describeCache({ hits: 1, misses: 0, hitRate: 1 })).toBe("The one lookup was a hit");
    expect(describeCache({ hits: 0, misses: 1, hitRate: 0 })).toBe("The one lookup was a miss");
    expect(describeCache({ hits: 0, misses: 0, hitRate: null })).toBe("No cache lookup that day");
  });

  it("says when replies were left out of the cost", () => {
    expect(describeUnpriced(body.cost)).toBeNull();
    expect(describeUnpriced({ ...body.cost, unpricedMessages: 1 })).toMatch(/^1 reply was not priced: .* it is left out of the totals/);
    expect(describeUnpriced({ ...body.cost, unpricedMessages: 12 })).toMatch(/^12 replies were not priced: .* they are left out of the totals/);
  });

  it("says when more alerts were opened than the report lists", () => {
    const alert = { rule: "p95_total_above", severity: "warning", message: "slow", startedAt: "2026-01-05T10:00:00.000Z", endedAt: null };
    expect(describeListedAlerts({ opened: 1, listed: [alert] })).toBeNull();
    expect(describeListedAlerts({ opened: 0, listed: [] })).toBeNull();
    expect(describeListedAlerts({ opened: 25, listed: Array.from({ length: 20 }, () => alert) })).toBe("The 20 most recent of 25 are listed.");
  });

  it("knows which days an admin may generate a report for: today and the last 31 days (UTC)", () => {
    const now = Date.parse("2026-03-15T10:00:00Z");
    expect(canGenerateReportFor("2026-03-15", now)).toBe(true);
    expect(canGenerateReportFor("2026-03-16", now)).toBe(false);
    expect(canGenerateReportFor("2026-02-12", now)).toBe(true);
    expect(canGenerateReportFor("2026-02-11", now)).toBe(false);
  });
});
