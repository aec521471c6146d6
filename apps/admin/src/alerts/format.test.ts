import { describe, expect, it } from "vitest";

import type { Alert } from "../api/types";
import { describeSpan, detailFacts, severityLabel, splitAlerts } from "./format";

const alert = (id: string, open: boolean): Alert => ({
  id,
  rule: "rollout_guard",
  severity: "warning",
  message: "pipeline.cache rolled back",
  details: {},
  open,
  startedAt: "2026-01-01T12:00:00.000Z",
  endedAt: open ? null : "2026-01-01T12:30:00.000Z",
});

describe("alerts", () => {
  it("puts open alerts apart from resolved ones, keeping their order", () => {
    const { open, resolved } = splitAlerts([alert("a", true), alert("b", false), alert("c", true)]);
    expect(open.map((a) => a.id)).toEqual(["a", "c"]);
    expect(resolved.map((a) => a.id)).toEqual(["b"]);
  });

  it("says how long an alert is or was open", () => {
    const now = Date.parse("2026-01-01T14:05:00Z");
    expect(describeSpan(alert("a", true), now)).toBe("open for 2 h 5 min");
    expect(describeSpan(alert("b", false), now)).toBe("lasted 30 min");
  });

  it("words severities and details", () => {
    expect(severityLabel("critical")).toBe("Critical");
    expect(detailFacts({ flag: "pipeline.cache", p95TotalMs: 1820, from_rollout: 50, cohorts: { enabled: 12 } })).toEqual([
      { label: "Flag", value: "pipeline.cache" },
      { label: "P95 total ms", value: "1820" },
      { label: "From rollout", value: "50" },
      { label: "Cohorts", value: '{"enabled":12}' },
    ]);
  });
});
