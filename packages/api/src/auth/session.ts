import { and, eq, gt, lt, sql } from "drizzle-orm";

import { adminSessions, adminUsers, organizations } from "@leadline/db/schema";
import { organizationIdOf, scopedTo, type OrganizationId } from "@leadline/db/tenant";

import type { Context } from "../context";
import { unauthorized } from "../errors";
import { isOperator } from "../flags/manage-flags";
import { clearedSessionCookie } from "./cookies";
import { MESSAGES, SESSION_COOKIE, SESSION_IDLE_SECONDS, SESSION_MAX_SECONDS, SESSION_SLIDE_EVERY_SECONDS } from "./policy";
import { hashSessionToken, looksLikeSessionToken } from "./tokens";

export type AdminRole = "viewer" | "admin";

/** Who is calling, as an admin procedure's context has it. */
export type Admin = {
  userId: string;
  organizationId: OrganizationId;
  role: AdminRole;
  email: string;
  /** The session's id (its token's hash): lets a handler spare the caller's own session. */
  sessionId: string;
};

export type AdminContext = Context & { admin: Admin };

export type AdminProfile = {
  email: string;
  role: AdminRole;
  organization: { id: string; name: string };
  /** The organization operates the deployment: it sees and (admins) changes the flags. */
  managesFlags: boolean;
};

const seconds = (n: number) => sql`make_interval(secs => ${n})`;

/**
 * The admin behind the request's session cookie, or UNAUTHORIZED. The
 * session is found by its token's hash alone (the token is what proves who
 * this is), and from then on its organization scopes everything. Use moves
 * the idle expiry forward, at most once a minute, never past the absolute limit.
 */
export async function authenticateAdmin(ctx: Context): Promise<Admin> {
  const token = ctx.cookies[SESSION_COOKIE];
  if (!looksLikeSessionToken(token)) return refuse(ctx, token !== undefined);
  const sessionId = hashSessionToken(token);
  const s = adminSessions;
  const [row] = await ctx.db
    .select({
      userId: adminUsers.id,
      organizationId: s.organizationId,
      email: adminUsers.email,
      role: adminUsers.role,
      stale: sql<boolean>`${s.lastSeenAt} < now() - ${seconds(SESSION_SLIDE_EVERY_SECONDS)}`,
    })
    .from(s)
    .innerJoin(adminUsers, and(eq(adminUsers.id, s.adminUserId), eq(adminUsers.organizationId, s.organizationId)))
    .where(and(eq(s.id, sessionId), gt(s.expiresAt, sql`now()`)));
  if (!row) return refuse(ctx, true);

  const organizationId = organizationIdOf(row.organizationId);
  if (row.stale) {
    await ctx.db
      .update(s)
      .set({ lastSeenAt: sql`now()`, expiresAt: sql`least(now() + ${seconds(SESSION_IDLE_SECONDS)}, ${s.createdAt} + ${seconds(SESSION_MAX_SECONDS)})` })
      .where(scopedTo(organizationId, s, eq(s.id, sessionId)));
  }
  return { userId: row.userId, organizationId, role: row.role, email: row.email, sessionId };
}

function refuse(ctx: Context, hadCookie: boolean): never {
  // A cookie that leads nowhere is dropped, so the browser stops sending it.
  if (hadCookie) ctx.setCookie(clearedSessionCookie({ secure: ctx.secure }));
  throw unauthorized(MESSAGES.notLoggedIn);
}

/** Starts a session, under the given token, for a user whose password was just checked. */
export async function createSession(ctx: Context, user: { id: string; organizationId: OrganizationId }, token: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await tx.insert(adminSessions).values({
      id: hashSessionToken(token),
      organizationId: user.organizationId,
      adminUserId: user.id,
      userAgent: ctx.userAgent,
      expiresAt: sql`now() + ${seconds(SESSION_IDLE_SECONDS)}`,
    });
    await tx.update(adminUsers).set({ lastLoginAt: sql`now()` }).where(scopedTo(user.organizationId, adminUsers, eq(adminUsers.id, user.id)));
    // Expired sessions are dead rows; each login sweeps its organization's.
    await tx.delete(adminSessions).where(scopedTo(user.organizationId, adminSessions, lt(adminSessions.expiresAt, sql`now()`)));
  });
}

/**
 * Ends the session a token belongs to, whoever's it is: holding the token is
 * the authority, as in authenticateAdmin (there is no organization to scope
 * by before the session is found).
 */
export async function endSessionOfToken(ctx: Context, token: string | undefined): Promise<void> {
  if (!looksLikeSessionToken(token)) return;
  await ctx.db.delete(adminSessions).where(eq(adminSessions.id, hashSessionToken(token)));
}

/** The caller's profile as the admin app shows it. */
export async function loadProfile(ctx: AdminContext): Promise<AdminProfile> {
  const { organizationId, userId } = ctx.admin;
  const [row] = await ctx.db
    .select({ email: adminUsers.email, role: adminUsers.role, organizationId: organizations.id, organizationName: organizations.name, slug: organizations.slug })
    .from(adminUsers)
    .innerJoin(organizations, eq(organizations.id, adminUsers.organizationId))
    .where(scopedTo(organizationId, adminUsers, eq(adminUsers.id, userId)));
  if (!row) throw unauthorized(MESSAGES.notLoggedIn);
  return { email: row.email, role: row.role, organization: { id: row.organizationId, name: row.organizationName }, managesFlags: isOperator(ctx.config, row.slug) };
}
