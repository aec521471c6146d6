import { describe, expect, it } from "vitest";

import { isAllowedAdminOrigin } from "./origin";
import { clientIpOf, isSecureRequest, normalizeIp, throttleKeyOfIp } from "./request";

const req = (headers: Record<string, string>, socket: { remoteAddress?: string; encrypted?: boolean } = { remoteAddress: "10.0.0.9" }) => ({ headers, socket });

describe("clientIpOf", () => {
  it("is the socket's peer unless proxies are trusted: a client's own X-Forwarded-For is ignored", () => {
    expect(clientIpOf(req({ "x-forwarded-for": "1.2.3.4" }))).toBe("10.0.0.9");
    expect(clientIpOf(req({}, { remoteAddress: "::ffff:127.0.0.1" }))).toBe("127.0.0.1");
    expect(clientIpOf(req({}, {}))).toBeNull();
  });

  it("behind N trusted proxies, takes the entry N from the right (what the outermost proxy saw)", () => {
    const forwarded = req({ "x-forwarded-for": "6.6.6.6, 203.0.113.5, 10.0.0.2" });
    expect(clientIpOf(forwarded, 1)).toBe("10.0.0.2");
    expect(clientIpOf(forwarded, 2)).toBe("203.0.113.5");
    // Fewer entries than proxies, or garbage: the socket's peer.
    expect(clientIpOf(forwarded, 4)).toBe("10.0.0.9");
    expect(clientIpOf(req({ "x-forwarded-for": "not-an-ip" }), 1)).toBe("10.0.0.9");
  });
});

describe("IP spelling and throttle keys", () => {
  it("normalizes case, zones and IPv4-mapped addresses; refuses non-IPs", () => {
    expect(normalizeIp("FE80::1%eth0")).toBe("fe80::1");
    expect(normalizeIp("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeIp("example.com")).toBeNull();
  });

  it("counts IPv4 per address and IPv6 per /64", () => {
    expect(throttleKeyOfIp("192.0.2.1")).toBe("192.0.2.1");
    expect(throttleKeyOfIp("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(throttleKeyOfIp("2001:0db8:0001:0002:ffff:0:0:9")).toBe("2001:db8:1:2::/64");
    expect(throttleKeyOfIp("2001:db8::")).toBe("2001:db8:0:0::/64");
    expect(throttleKeyOfIp("::1")).toBe("0:0:0:0::/64");
    expect(throttleKeyOfIp("64:ff9b::192.0.2.1")).toBe("64:ff9b:0:0::/64");
  });
});

describe("isSecureRequest", () => {
  it("is true over TLS, behind a proxy that says https, or for an https page", () => {
    expect(isSecureRequest(req({}, { encrypted: true }))).toBe(true);
    expect(isSecureRequest(req({ "x-forwarded-proto": "https,http" }))).toBe(true);
    expect(isSecureRequest(req({ origin: "https://admin.example" }))).toBe(true);
    expect(isSecureRequest(req({ origin: "http://localhost:3001" }))).toBe(false);
  });
});

describe("isAllowedAdminOrigin", () => {
  it("accepts the admin app and no Origin at all; refuses any other Origin, 'null' included", () => {
    const admin = ["http://localhost:3001"];
    expect(isAllowedAdminOrigin("http://localhost:3001", admin)).toBe(true);
    expect(isAllowedAdminOrigin(null, admin)).toBe(true);
    expect(isAllowedAdminOrigin("http://localhost:3000", admin)).toBe(false);
    expect(isAllowedAdminOrigin("null", admin)).toBe(false);
    expect(isAllowedAdminOrigin("http://localhost:3001", undefined)).toBe(false);
  });
});
