import { describe, expect, it } from "vitest";

import { percentile, ratio, subtract, summarize } from "./stats";

describe("percentile", () => {
  it("picks the nearest rank, an observed value", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(samples, 0.5)).toBe(50);
    expect(percentile(samples, 0.95)).toBe(95);
    expect(percentile(samples, 0.99)).toBe(99);
    expect(percentile(samples, 1)).toBe(100);
    expect(percentile(samples, 0)).toBe(1);
  });

  it("does not depend on the order of the samples", () => {
    expect(percentile([30, 10, 20], 0.5)).toBe(20);
    expect(percentile([3, 1, 2, 5, 4], 0.95)).toBe(5);
  });

  it("lets one slow sample in twenty show at p95 and not at p50", () => {
    const samples = [...Array.from({ length: 19 }, () => 10), 1000];
    expect(percentile(samples, 0.5)).toBe(10);
    expect(percentile(samples, 0.95)).toBe(10);
    expect(percentile(samples, 0.96)).toBe(1000);
  });

  it("is null without samples and refuses a quantile outside 0..1", () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(() => percentile([1], 95)).toThrow(RangeError);
  });
});

describe("summarize", () => {
  it("gives count, percentiles, mean and max, ignoring non-finite samples", () => {
    expect(summarize([4, 1, 3, 2, Number.NaN])).toEqual({ n: 4, p50: 2, p95: 4, p99: 4, mean: 2.5, max: 4 });
  });

  it("is all null for no samples", () => {
    expect(summarize([])).toEqual({ n: 0, p50: null, p95: null, p99: null, mean: null, max: null });
  });
});

describe("subtract and ratio", () => {
  it("carry unknowns through", () => {
    expect(subtract(10, 4)).toBe(6);
    expect(subtract(null, 4)).toBeNull();
    expect(ratio(10, 4)).toBe(2.5);
    expect(ratio(10, 0)).toBeNull();
    expect(ratio(undefined, 2)).toBeNull();
  });
});
