import { describe, expect, it } from "vitest";

import type { FlagCohorts, StageRow, TimeseriesPoint } from "../api/types";
import {
  compareCohorts,
  DASHBOARD_WINDOWS,
  describeSatisfaction,
  describeStages,
  describeTrend,
  formatBucket,
  formatTick,
  overallHitRate,
  parseWindow,
  toStageBars,
  toTrendPoints,
} from "./format";

const point = (at: string, count: number, p95Total: number | null = null): TimeseriesPoint => ({
  at,
  count,
  totalMs: { p50: p95Total === null ? null : p95Total / 2, p95: p95Total },
  firstTokenMs: { p50: p95Total === null ? null : 100, p95: p95Total === null ? null : 200 },
  errorRate: count ? 0 : null,
});

const stage = (name: string, mode: string, p50Ms: number | null, p95Ms: number | null): StageRow => ({ name, mode, count: 3, failures: 0, p50Ms, p95Ms, totalMs: 0, share: null });

describe("windows", () => {
  it("asks for a bucket that keeps each trend between a handful and a few hundred points", () => {
    expect(DASHBOARD_WINDOWS.map((w) => `${w.value}/${w.bucket}`)).toEqual(["5m/1m", "1h/1m", "24h/1h", "7d/1h"]);
  });

  it("reads the window from the URL, defaulting to the last hour", () => {
    expect(parseWindow("24h")).toBe("24h");
    expect(parseWindow(["7d", "5m"])).toBe("7d");
    expect(parseWindow("1y")).toBe("1h");
    expect(parseWindow(undefined)).toBe("1h");
  });
});

describe("the response-time trend", () => {
  const points = [point("2026-01-01T12:00:00.000Z", 0), point("2026-01-01T12:01:00.000Z", 3, 1800), point("2026-01-01T12:02:00.000Z", 1, 900)];

  it("keeps empty buckets as gaps, not zeros", () => {
    const trend = toTrendPoints(points);
    expect(trend[0]).toMatchObject({ at: Date.parse("2026-01-01T12:00:00Z"), count: 0, p95Total: null, p50FirstToken: null });
    expect(trend[1]).toMatchObject({ count: 3, p50Total: 900, p95Total: 1800, p95FirstToken: 200 });
  });

  it("sums it up for a screen reader", () => {
    expect(describeTrend(toTrendPoints(points), "5m", "1m")).toBe(
      "Line chart of response time per minute over the last 5 minutes: p50 and p95 of total time and of time to first token. " +
        "4 messages in 2 of 3 minutes; highest p95 total 1.80 s; latest p95 total 900 ms, p95 first token 200 ms.",
    );
    expect(describeTrend(toTrendPoints([point("2026-01-01T12:00:00.000Z", 0)]), "24h", "1h")).toMatch(/per hour over the last 24 hours.*No messages yet\.$/);
  });

  it("labels the time axis by the time of day, with the weekday over a week", () => {
    const at = Date.parse("2026-01-05T14:07:00Z"); // a Monday
    expect(formatTick(at, "1h", "UTC")).toBe("14:07");
    expect(formatTick(at, "7d", "UTC")).toBe("Mon 14:07");
    expect(formatBucket(at, "UTC")).toBe("Mon 5 Jan, 14:07");
  });
});

describe("stages", () => {
  it("draws a bar for each stage the reply waits for", () => {
    const bars = toStageBars([stage("lead-qualification", "inline", 40, 90), stage("audit", "background", 0, 0), stage("analytics", "parallel", null, null)]);
    expect(bars).toEqual([
      { label: "lead-qualification (inline)", p50: 40, p95: 90 },
      { label: "analytics (parallel)", p50: 0, p95: 0 },
    ]);
    expect(describeStages(bars, "1h")).toMatch(/2 stages; the slowest at p95 is lead-qualification \(inline\), 90 ms\.$/);
    expect(describeStages([], "1h")).toMatch(/No stage ran on the reply\.$/);
  });
});

describe("caches and satisfaction", () => {
  it("adds every namespace's lookups up for the overall hit rate", () => {
    expect(
      overallHitRate([
        { namespace: "site", hits: 9, misses: 1, hitRate: 0.9 },
        { namespace: "rates", hits: 1, misses: 9, hitRate: 0.1 },
      ]),
    ).toBe(0.5);
    expect(overallHitRate([])).toBeNull();
  });

  it("words the ratings", () => {
    expect(describeSatisfaction(4, 1)).toBe("80 % thumbs up (4 of 5)");
    expect(describeSatisfaction(0, 0)).toBe("No ratings yet");
  });
});

describe("cohorts", () => {
  const stats = (count: number, p95: number | null) => ({ count, totalMs: { p50: null, p95 }, firstTokenMs: { p50: null, p95 }, errorRate: 0 });
  const cohort = (on: ReturnType<typeof stats>, off: ReturnType<typeof stats>): FlagCohorts => ({ flag: "pipeline.cache", enabled: on, control: off });

  it("gives the enabled cohort's p95 as a share of control's", () => {
    expect(compareCohorts(cohort(stats(10, 800), stats(10, 3200)), "totalMs")).toEqual({ text: "75 % faster", verdict: "better" });
    expect(compareCohorts(cohort(stats(10, 360), stats(10, 300)), "firstTokenMs")).toEqual({ text: "20 % slower", verdict: "worse" });
    expect(compareCohorts(cohort(stats(10, 801), stats(10, 800)), "totalMs")).toEqual({ text: "about the same", verdict: "same" });
  });

  it("compares nothing while a cohort is empty", () => {
    expect(compareCohorts(cohort(stats(0, null), stats(10, 300)), "totalMs")).toBeNull();
  });
});
