import { createHmac, timingSafeEqual } from "node:crypto";

import { z } from "zod";

import { unauthorized } from "../errors";

/** What a visitor's session token binds: one session of one site of one organization. */
export type VisitorClaims = { sessionId: string; siteId: string; organizationId: string };

const payload = z.object({ v: z.literal(1), sid: z.uuid(), site: z.uuid(), org: z.uuid(), exp: z.number().int() });

/** `base64url(JSON payload).base64url(HMAC-SHA256)`: stateless, so any server instance can check it. */
export function signSessionToken(claims: VisitorClaims, secret: string, ttlSeconds: number, now = Date.now()): string {
  const body = Buffer.from(
    JSON.stringify({ v: 1, sid: claims.sessionId, site: claims.siteId, org: claims.organizationId, exp: Math.floor(now / 1000) + ttlSeconds }),
  ).toString("base64url");
  return `${body}.${sign(body, secret)}`;
}

/**
 * Tokens verified lately, by secret. A visitor sends the same token with
 * every message, and its HMAC, base64 and payload parse were 1.6 % of the
 * request thread under load; a token that verified once verifies again until
 * it expires, which is still checked on every use. Only tokens that verified
 * are kept, so forged ones cost their HMAC every time and crowd out nothing;
 * at most VERIFIED_MAX, the oldest dropped first.
 */
const VERIFIED_MAX = 10_000;
const verifiedBySecret = new Map<string, Map<string, { claims: VisitorClaims; expiresAt: number }>>();

export function verifySessionToken(token: string, secret: string, now = Date.now()): VisitorClaims {
  let verified = verifiedBySecret.get(secret);
  const known = verified?.get(token);
  if (known) {
    if (known.expiresAt <= now) throw unauthorized("Session expired, please start a new chat");
    return { ...known.claims };
  }
  const { expiresAt, ...claims } = checkSessionToken(token, secret, now);
  if (!verified) verifiedBySecret.set(secret, (verified = new Map()));
  verified.set(token, { claims, expiresAt });
  if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  return { ...claims };
}

function checkSessionToken(token: string, secret: string, now: number): VisitorClaims & { expiresAt: number } {
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) throw unauthorized("Invalid session token");
  const expected = Buffer.from(sign(body, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw unauthorized("Invalid session token");
  let parsed: z.infer<typeof payload>;
  try {
    parsed = payload.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
  } catch {
    throw unauthorized("Invalid session token");
  }
  if (parsed.exp * 1000 <= now) throw unauthorized("Session expired, please start a new chat");
  return { sessionId: parsed.sid, siteId: parsed.site, organizationId: parsed.org, expiresAt: parsed.exp * 1000 };
}

function sign(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64url");
}
