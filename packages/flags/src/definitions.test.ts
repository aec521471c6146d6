import { describe, expect, it } from "vitest";

import { baselineFlags, defaultFlags, FLAG_NAMES, parseFlagOverride } from "./definitions";

describe("flag definitions", () => {
  it("every flag has a default in code; the baseline turns every one off", () => {
    expect(Object.keys(defaultFlags()).sort()).toEqual([...FLAG_NAMES].sort());
    expect(Object.values(baselineFlags()).every((v) => v === false)).toBe(true);
  });

  it("parses benchmark overrides: a preset, then exceptions", () => {
    expect(parseFlagOverride("off")).toEqual(baselineFlags());
    expect(parseFlagOverride("off,pipeline.background=on")).toEqual({ ...baselineFlags(), "pipeline.background": true });
    expect(Object.values(parseFlagOverride("on")!).every(Boolean)).toBe(true);
  });

  it.each(["", "maybe", "off,pipeline.unknown=on", "off,pipeline.background=yes", "on,=on"])("refuses %j", (header) => {
    expect(parseFlagOverride(header)).toBeNull();
  });
});
