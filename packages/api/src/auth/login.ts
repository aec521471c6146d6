import { randomBytes } from "node:crypto";

import { eq, sql } from "drizzle-orm";

import { hashPassword, verifyPassword } from "@leadline/db/password";
import { adminUsers, organizations } from "@leadline/db/schema";
import { organizationIdOf } from "@leadline/db/tenant";

import type { Context } from "../context";
import { isOperator } from "../flags/manage-flags";
import { DomainError, unauthorized } from "../errors";
import { clearedSessionCookie, sessionCookie } from "./cookies";
import { describeLock, MESSAGES, SESSION_COOKIE, SESSION_MAX_SECONDS } from "./policy";
import { createSession, endSessionOfToken, type AdminProfile } from "./session";
import { claimLoginAttempt, recordLoginSuccess } from "./throttle";
import { newSessionToken } from "./tokens";

// A hash of nothing anyone knows, made by the same hashPassword as real ones
// (same parameters, same cost), started at import so that no login waits for it.
const dummyHash = hashPassword(randomBytes(24).toString("base64url"));

/**
 * Checks the password and starts a session in the response's cookie. An
 * unknown email and a wrong password get the same answer after the same
 * work: the unknown email is verified against a dummy hash.
 */
export async function logIn(ctx: Context, input: { email: string; password: string }): Promise<AdminProfile> {
  const email = input.email.trim().toLowerCase();
  const attempt = await claimLoginAttempt(ctx, { email, ip: ctx.clientIp });
  if (attempt.refused) throw new DomainError("TOO_MANY_REQUESTS", describeLock(attempt.retryAfterSeconds));

  // The one lookup without an organization: the email is what tells us which one.
  const [user] = await ctx.db
    .select({ id: adminUsers.id, organizationId: adminUsers.organizationId, email: adminUsers.email, role: adminUsers.role, passwordHash: adminUsers.passwordHash, organizationName: organizations.name, slug: organizations.slug })
    .from(adminUsers)
    .innerJoin(organizations, eq(organizations.id, adminUsers.organizationId))
    .where(sql`lower(${adminUsers.email}) = ${email}`);
  const valid = await verifyPassword(user?.passwordHash ?? (await dummyHash), input.password);
  // A failure stays counted: claimLoginAttempt counted it in advance.
  if (!user || !valid) throw unauthorized(MESSAGES.invalidLogin);
  await recordLoginSuccess(ctx.db, attempt);

  const organizationId = organizationIdOf(user.organizationId);
  // A session this browser still had is ended, not left behind.
  await endSessionOfToken(ctx, ctx.cookies[SESSION_COOKIE]);
  const token = newSessionToken();
  await createSession(ctx, { id: user.id, organizationId }, token);
  ctx.setCookie(sessionCookie(token, { secure: ctx.secure, maxAgeSeconds: SESSION_MAX_SECONDS }));
  return { email: user.email, role: user.role, organization: { id: organizationId, name: user.organizationName }, managesFlags: isOperator(ctx.config, user.slug) };
}

/** Ends the cookie's session, if any, and clears the cookie: safe to call twice. */
export async function logOut(ctx: Context): Promise<void> {
  await endSessionOfToken(ctx, ctx.cookies[SESSION_COOKIE]);
  ctx.setCookie(clearedSessionCookie({ secure: ctx.secure }));
}
