import { describe, expect, it } from "vitest";

import { DomainError } from "../errors";
import { signSessionToken, verifySessionToken } from "./session-token";

const secret = "s".repeat(40);
const claims = { sessionId: crypto.randomUUID(), siteId: crypto.randomUUID(), organizationId: crypto.randomUUID() };

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? `${error.code}: ${error.message}` : String(error);
  }
  return "accepted";
};

describe("session tokens", () => {
  it("round-trip the claims they bind", () => {
    expect(verifySessionToken(signSessionToken(claims, secret, 60), secret)).toEqual(claims);
  });

  it("refuse a changed payload, a foreign signature, garbage and an expired token", () => {
    const token = signSessionToken(claims, secret, 60);
    const [, signature] = token.split(".");
    const otherBody = Buffer.from(JSON.stringify({ v: 1, sid: claims.sessionId, site: claims.siteId, org: crypto.randomUUID(), exp: 9e9 })).toString("base64url");
    expect(refusal(() => verifySessionToken(`${otherBody}.${signature}`, secret))).toBe("UNAUTHORIZED: Invalid session token");
    expect(refusal(() => verifySessionToken(signSessionToken(claims, "x".repeat(40), 60), secret))).toBe("UNAUTHORIZED: Invalid session token");
    expect(refusal(() => verifySessionToken("not-a-token", secret))).toBe("UNAUTHORIZED: Invalid session token");
    expect(refusal(() => verifySessionToken(`${token}.extra`, secret))).toBe("UNAUTHORIZED: Invalid session token");
    expect(refusal(() => verifySessionToken(signSessionToken(claims, secret, 60, Date.now() - 120_000), secret))).toBe(
      "UNAUTHORIZED: Session expired, please start a new chat",
    );
  });

  it("checks a token it verified before again for its expiry and its secret", () => {
    const token = signSessionToken(claims, secret, 60);
    expect(verifySessionToken(token, secret)).toEqual(claims);
    expect(verifySessionToken(token, secret)).toEqual(claims);
    expect(refusal(() => verifySessionToken(token, secret, Date.now() + 61_000))).toBe("UNAUTHORIZED: Session expired, please start a new chat");
    expect(refusal(() => verifySessionToken(token, "x".repeat(40)))).toBe("UNAUTHORIZED: Invalid session token");
  });
});
