import { and, eq, ne } from "drizzle-orm";

import { hashPassword, verifyPassword } from "@leadline/db/password";
import { adminSessions, adminUsers, auditLog } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { badRequest, DomainError, unauthorized } from "../errors";
import { describeLock, MESSAGES } from "./policy";
import type { AdminContext } from "./session";
import { claimLoginAttempt, recordLoginSuccess } from "./throttle";

/**
 * Replaces the caller's own password and ends their other sessions (a
 * password change is what someone does who fears another device has it).
 * A wrong current password counts as a failed login from the caller's
 * address: a stolen session must not become a way to guess the password
 * beyond what the login form allows.
 */
export async function changePassword(ctx: AdminContext, input: { current: string; next: string }): Promise<void> {
  const { organizationId, userId, email, sessionId } = ctx.admin;
  const attempt = await claimLoginAttempt(ctx, { email: email.toLowerCase(), ip: ctx.clientIp });
  if (attempt.refused) throw new DomainError("TOO_MANY_REQUESTS", describeLock(attempt.retryAfterSeconds));

  const [user] = await ctx.db.select({ passwordHash: adminUsers.passwordHash }).from(adminUsers).where(scopedTo(organizationId, adminUsers, eq(adminUsers.id, userId)));
  if (!user) throw unauthorized(MESSAGES.notLoggedIn);
  if (!(await verifyPassword(user.passwordHash, input.current))) throw badRequest("The current password is not right");
  await recordLoginSuccess(ctx.db, attempt);

  const passwordHash = await hashPassword(input.next);
  await ctx.db.transaction(async (tx) => {
    await tx.update(adminUsers).set({ passwordHash }).where(scopedTo(organizationId, adminUsers, eq(adminUsers.id, userId)));
    const ended = await tx
      .delete(adminSessions)
      .where(scopedTo(organizationId, adminSessions, and(eq(adminSessions.adminUserId, userId), ne(adminSessions.id, sessionId))))
      .returning({ id: adminSessions.id });
    await tx.insert(auditLog).values({
      organizationId,
      actorType: "admin",
      actorId: userId,
      action: "auth.password.change",
      targetType: "admin_user",
      targetId: userId,
      details: { endedSessions: ended.length },
    });
  });
}
