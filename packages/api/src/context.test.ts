import { baselineFlags } from "@leadline/flags/definitions";
import { describe, expect, it } from "vitest";

import { createContextFactory, type ApiServices } from "./context";

const services = (allowFlagOverride: boolean) => ({ config: { allowFlagOverride } }) as unknown as ApiServices;
const request = (headers: Record<string, string>) => ({ req: { headers } });

describe("request context", () => {
  it("ignores the benchmark's flag header unless the server allows it", () => {
    expect(createContextFactory(services(false))(request({ "x-leadline-flags": "off" })).flagOverride).toBeNull();
    expect(createContextFactory(services(true))(request({ "x-leadline-flags": "off" })).flagOverride).toEqual(baselineFlags());
    expect(createContextFactory(services(true))(request({ "x-leadline-flags": "garbage" })).flagOverride).toBeNull();
  });

  it("keeps the browser's origin and a bounded request id", () => {
    const ctx = createContextFactory(services(false))(request({ origin: "http://widget.test", "x-request-id": "r".repeat(65) }));
    expect(ctx.origin).toBe("http://widget.test");
    expect(ctx.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
