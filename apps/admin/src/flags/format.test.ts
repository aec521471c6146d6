import { describe, expect, it } from "vitest";

import {
  checkReason,
  compareErrorRate,
  compareLatency,
  describeActor,
  describeChange,
  describeExposure,
  formatAgo,
  formatMs,
  formatRate,
  parseRollout,
} from "./format";

const cohort = (samples: number, p95TotalMs: number, p95FirstTokenMs: number, errorRate = 0) => ({ samples, p95TotalMs, p95FirstTokenMs, errorRate });

describe("the words for a flag's state and changes", () => {
  it("describes what a state means for sessions", () => {
    expect(describeExposure(null)).toMatch(/unknown/i);
    expect(describeExposure({ name: "f", enabled: false, rollout: 50, stickiness: "sessionId" })).toBe("Off for every session");
    expect(describeExposure({ name: "f", enabled: true, rollout: 0, stickiness: "sessionId" })).toBe("On, but rolled out to no session");
    expect(describeExposure({ name: "f", enabled: true, rollout: 10, stickiness: "sessionId" })).toBe("On for 10 % of sessions");
    expect(describeExposure({ name: "f", enabled: true, rollout: 100, stickiness: "sessionId" })).toBe("On for every session");
  });

  it("names a change the way the dialog asks about it", () => {
    expect(describeChange({ flag: "pipeline.cache", kind: "rollout", rollout: 10 })).toBe("Set pipeline.cache to 10 %");
    expect(describeChange({ flag: "pipeline.cache", kind: "enabled", enabled: false })).toBe("Turn pipeline.cache off");
  });

  it("shortens an admin's id but keeps the guard's name", () => {
    expect(describeActor("3f2a9c1d-0000-4000-8000-000000000000")).toBe("admin 3f2a9c1d");
    expect(describeActor("rollout guard")).toBe("rollout guard");
  });
});

describe("numbers", () => {
  it("formats durations and rates", () => {
    expect(formatMs(42.4)).toBe("42 ms");
    expect(formatMs(1234)).toBe("1.23 s");
    expect(formatMs(12_345)).toBe("12.3 s");
    expect(formatRate(0.0123)).toBe("1.2 %");
    expect(formatRate(0)).toBe("0.0 %");
  });

  it("says how long ago", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(formatAgo("2026-01-01T11:59:50Z", now)).toBe("just now");
    expect(formatAgo("2026-01-01T11:48:00Z", now)).toBe("12 min ago");
    expect(formatAgo("2026-01-01T09:00:00Z", now)).toBe("3 h ago");
    expect(formatAgo("2025-12-30T12:00:00Z", now)).toBe("2 days ago");
    expect(formatAgo("2026-01-01T12:00:05Z", now)).toBe("just now"); // a clock slightly ahead
  });
});

describe("cohort comparison", () => {
  it("gives latency as a share of control's", () => {
    expect(compareLatency(cohort(100, 800, 300), cohort(100, 3200, 300), "p95TotalMs")).toEqual({ text: "75 % lower", verdict: "better" });
    expect(compareLatency(cohort(100, 800, 360), cohort(100, 3200, 300), "p95FirstTokenMs")).toEqual({ text: "20 % higher", verdict: "worse" });
    expect(compareLatency(cohort(100, 801, 0), cohort(100, 800, 0), "p95TotalMs")).toEqual({ text: "about the same", verdict: "same" });
  });

  it("gives error rates in points", () => {
    expect(compareErrorRate(cohort(100, 0, 0, 0.03), cohort(100, 0, 0, 0.01))).toEqual({ text: "2 pt higher", verdict: "worse" });
    expect(compareErrorRate(cohort(100, 0, 0, 0), cohort(100, 0, 0, 0.005))).toEqual({ text: "0.5 pt lower", verdict: "better" });
  });

  it("compares nothing while a cohort is empty", () => {
    expect(compareLatency(cohort(0, 0, 0), cohort(100, 900, 300), "p95TotalMs")).toBeNull();
    expect(compareErrorRate(cohort(10, 0, 0), cohort(0, 0, 0))).toBeNull();
  });
});

describe("input checks", () => {
  it("accepts a whole percentage from 0 to 100", () => {
    expect(parseRollout(" 25 ")).toEqual({ ok: true, rollout: 25 });
    expect(parseRollout("0")).toEqual({ ok: true, rollout: 0 });
    expect(parseRollout("100")).toEqual({ ok: true, rollout: 100 });
    for (const bad of ["", "101", "-1", "12.5", "1e2", "ten"]) expect(parseRollout(bad)).toMatchObject({ ok: false });
  });

  it("wants a reason of at least 3 characters, spaces not counted", () => {
    expect(checkReason("  ok ")).toMatch(/at least 3/);
    expect(checkReason("step two")).toBeNull();
    expect(checkReason("x".repeat(501))).toMatch(/500/);
  });
});
