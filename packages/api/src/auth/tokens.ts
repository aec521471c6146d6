import { createHash, randomBytes } from "node:crypto";

/** A new session token: 32 random bytes, base64url (43 characters), for the cookie only. */
export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What the database keeps instead of the token: its SHA-256, hex. A fast hash is enough for 256 random bits. */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Rejects anything that cannot be one of our tokens before it costs a query. */
export function looksLikeSessionToken(value: string | undefined): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value);
}
