import { describe, expect, it } from "vitest";

import { createRandomId } from "./ids";
import { DEFAULT_COLOR, pickTextColor, resolveThemeColors } from "./theme";

describe("theme colours", () => {
  it("puts white text on dark colours and dark text on light ones", () => {
    expect(pickTextColor("#2563eb")).toBe("#ffffff");
    expect(pickTextColor("#000")).toBe("#ffffff");
    expect(pickTextColor("#fde047")).toBe("#111827");
    expect(pickTextColor("#FFFFFF")).toBe("#111827");
  });

  it("falls back to the default colour when the site's is not a colour", () => {
    const isColor = (v: string) => v.startsWith("#");
    expect(resolveThemeColors({ primaryColor: "red; background:url(x)" }, isColor)).toEqual({ accent: DEFAULT_COLOR, onAccent: "#ffffff" });
    expect(resolveThemeColors({ primaryColor: "#fde047" }, isColor)).toEqual({ accent: "#fde047", onAccent: "#111827" });
  });
});

describe("createRandomId", () => {
  it("makes ids the chat schema accepts, different each time", () => {
    const a = createRandomId();
    expect(a).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(createRandomId()).not.toBe(a);
  });
});
