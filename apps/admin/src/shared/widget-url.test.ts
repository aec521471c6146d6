import { describe, expect, it } from "vitest";

import { demoPageUrl } from "./widget-url";

describe("demoPageUrl", () => {
  it("is the widget app's /demo page, under any path prefix", () => {
    expect(demoPageUrl("http://localhost:3000")).toBe("http://localhost:3000/demo");
    expect(demoPageUrl("http://localhost:3000/")).toBe("http://localhost:3000/demo");
    expect(demoPageUrl("https://example.com/widget")).toBe("https://example.com/widget/demo");
  });

  it("is unknown without a widget URL", () => {
    expect(demoPageUrl(undefined)).toBeNull();
  });
});
