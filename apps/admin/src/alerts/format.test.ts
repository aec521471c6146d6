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

  it("words a rule's details in its unit, leaving out the kind and window length", () => {
    const details = {
      kind: "p95_total_above",
      threshold: 8000,
      forMinutes: 5,
      value: 9123.4,
      samples: 1234,
      window: { from: "2026-01-01T12:00:00.000Z", to: "2026-01-01T12:05:00.000Z" },
      resolution: { reason: "recovered", value: 4100, samples: 40 },
    };
    expect(detailFacts(details, "p95_total_above", "UTC")).toEqual([
      { label: "Threshold", value: "8,000 ms" },
      { label: "Value", value: "9,123 ms" },
      { label: "Samples", value: "1,234" },
      { label: "Window from", value: "1 Jan 2026, 12:00" },
      { label: "Window to", value: "1 Jan 2026, 12:05" },
      { label: "Resolved because", value: "recovered" },
      { label: "Value at resolution", value: "4,100 ms" },
      { label: "Samples at resolution", value: "40" },
    ]);
  });

  it("words an error-rate alert's details as percentages", () => {
    const details = { kind: "error_rate_above", threshold: 0.05, forMinutes: 15, value: 0.1234, samples: 80, window: { from: "2026-01-01T12:00:00.000Z", to: "2026-01-01T12:15:00.000Z" } };
    const facts = detailFacts(details, "error_rate_above", "UTC");
    expect(facts).toContainEqual({ label: "Threshold", value: "5 %" });
    expect(facts).toContainEqual({ label: "Value", value: "12.34 %" });
    expect(facts.map((f) => f.label)).not.toContain("Kind");
    expect(facts.map((f) => f.label)).not.toContain("For minutes");
  });

  it("words a daily cost alert in dollars with cents, and a resolution without a value", () => {
    const details = { kind: "daily_cost_above", threshold: 1234.5, forMinutes: null, value: 1500.257, samples: 12, resolution: { reason: "rule disabled", value: null, samples: 0 } };
    expect(detailFacts(details, "daily_cost_above", "UTC")).toEqual([
      { label: "Threshold", value: "$1,234.50" },
      { label: "Value", value: "$1,500.26" },
      { label: "Samples", value: "12" },
      { label: "Resolved because", value: "rule disabled" },
      { label: "Value at resolution", value: "—" },
      { label: "Samples at resolution", value: "0" },
    ]);
  });

  it("keeps rollout-guard details as they are", () => {
    expect(detailFacts({ flag: "pipeline.cache", comparison: { p95: 1 } }, "rollout_guard")).toEqual([
      { label: "Flag", value: "pipeline.cache" },
      { label: "Comparison", value: '{"p95":1}' },
    ]);
  });
});
