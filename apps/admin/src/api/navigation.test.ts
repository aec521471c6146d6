import { describe, expect, it } from "vitest";

import { HOME_AFTER_LOGIN, loginPathFor, safeReturnPath } from "./navigation";

describe("safeReturnPath", () => {
  it("follows a path of this app", () => {
    expect(safeReturnPath("/leads?status=new")).toBe("/leads?status=new");
    expect(safeReturnPath(["/alerts", "/flags"])).toBe("/alerts");
  });

  it("never leaves the app, nor loops back to the login page", () => {
    for (const next of ["https://evil.example", "//evil.example", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)", "", "/login?next=/x"]) {
      expect(safeReturnPath(next)).toBe(HOME_AFTER_LOGIN);
    }
    expect(safeReturnPath(undefined)).toBe(HOME_AFTER_LOGIN);
  });
});

describe("loginPathFor", () => {
  it("remembers where the admin was, unless it is where login leads anyway", () => {
    expect(loginPathFor("/leads?page=2")).toBe("/login?next=%2Fleads%3Fpage%3D2");
    expect(loginPathFor("/flags")).toBe("/login?next=%2Fflags");
    expect(loginPathFor("/")).toBe("/login");
  });
});
