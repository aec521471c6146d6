import { describe, expect, it } from "vitest";

import { clearedSessionCookie, parseCookies, sessionCookie } from "./cookies";

describe("parseCookies", () => {
  it("reads name=value pairs, trims, unquotes and decodes; the first of a repeated name wins", () => {
    expect(parseCookies('a=1; leadline_admin=tok_en-1 ;b="x y"; c=%3D; a=2; junk; =v')).toEqual({ a: "1", leadline_admin: "tok_en-1", b: "x y", c: "=" });
  });

  it("survives a missing header and bad percent-encoding", () => {
    expect(parseCookies(undefined)).toEqual({});
    expect(parseCookies("a=%E0%A4%A")).toEqual({ a: "%E0%A4%A" });
  });

  it("does not let a cookie named like an Object property pollute the result", () => {
    const cookies = parseCookies("__proto__=x; constructor=y");
    expect(Object.getPrototypeOf(cookies)).toBe(Object.prototype);
    expect(cookies.constructor).toBe("y");
  });
});

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/, with a Max-Age, and Secure only over https", () => {
    expect(sessionCookie("tok", { secure: false, maxAgeSeconds: 604800 })).toBe("leadline_admin=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=604800");
    expect(sessionCookie("tok", { secure: true, maxAgeSeconds: 60 })).toBe("leadline_admin=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure");
  });

  it("is cleared with the same attributes and Max-Age=0", () => {
    expect(clearedSessionCookie({ secure: true })).toBe("leadline_admin=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure");
  });
});
