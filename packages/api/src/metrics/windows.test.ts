import { describe, expect, it } from "vitest";

import { DomainError } from "../errors";
import { assertPointsFit, MAX_POINTS, pointsIn, ratio } from "./windows";

describe("timeseries bucket limits", () => {
  it("counts the partial first bucket as one", () => {
    expect(pointsIn("5m", "1m")).toBe(6);
    expect(pointsIn("24h", "1h")).toBe(25);
    expect(pointsIn("5m", "1h")).toBe(2);
  });

  it("accepts a day by the minute, refuses a week by the minute", () => {
    expect(pointsIn("24h", "1m")).toBeLessThanOrEqual(MAX_POINTS);
    expect(() => assertPointsFit("24h", "1m")).not.toThrow();
    expect(() => assertPointsFit("7d", "1m")).toThrow(DomainError);
    expect(() => assertPointsFit("7d", "1m")).toThrow(/10081 points/);
    expect(() => assertPointsFit("7d", "1h")).not.toThrow();
  });
});

describe("ratio", () => {
  it("is unknown, not zero, when there is nothing to divide by", () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
  });
});
