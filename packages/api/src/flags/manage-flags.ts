import { and, desc, eq, inArray } from "drizzle-orm";

import { adminUsers, alerts, auditLog, organizations } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import { FLAG_DEFINITIONS, FLAG_NAMES, isFlagName, type FlagName } from "@leadline/flags/definitions";
import { compareCohorts } from "@leadline/flags/guard-cohorts";
import { UnleashAdminError, type FlagState } from "@leadline/flags/unleash-admin";

import type { Context } from "../context";
import { DomainError, notFound } from "../errors";

type Admin = { userId: string; organizationId: string };

/**
 * The audit actions that changed a flag. An admin's change also leaves
 * "<action>.requested" before Unleash is asked and "<action>.failed" when it
 * did not take (see changeInUnleash): neither is a change, so neither is here.
 */
const FLAG_ACTIONS = ["flag.rollout", "flag.enable", "flag.disable", "flag.rollback"];

/**
 * A flag's rollout applies to every organization of the deployment, so only
 * the operator's organization (config.operatorOrganization, a slug) may see
 * or change flags; to any other it is as if they did not exist.
 */
export async function assertOperator(ctx: Context, admin: Admin) {
  const [org] = await ctx.db.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, admin.organizationId));
  if (!org || !isOperator(ctx.config, org.slug)) throw notFound("Flags");
}

/** Whether the organization with this slug operates the deployment (and so manages its flags). */
export function isOperator(config: Pick<Context["config"], "operatorOrganization">, slug: string): boolean {
  return slug === (config.operatorOrganization ?? "demo");
}

function unleashOf(ctx: Context) {
  if (!ctx.unleashAdmin) throw new DomainError("SERVICE_UNAVAILABLE", "Flags are the defaults in code: this server has no Unleash admin token");
  return ctx.unleashAdmin;
}

function flagNameOf(name: string): FlagName {
  if (!isFlagName(name)) throw notFound(`Flag ${name}`);
  return name;
}

/** Every pipeline flag: its state in Unleash, its default in code, the last change and the guard's history here. */
export async function listFlags(ctx: Context, admin: Admin) {
  const states = new Map<string, FlagState | null>();
  let unleash: "available" | "unavailable" | "not configured" = ctx.unleashAdmin ? "available" : "not configured";
  if (ctx.unleashAdmin) {
    try {
      for (const name of FLAG_NAMES) states.set(name, await ctx.unleashAdmin.getFlag(name));
    } catch {
      unleash = "unavailable";
    }
  }
  const changes = await ctx.db
    .select({ targetId: auditLog.targetId, action: auditLog.action, createdAt: auditLog.createdAt, actorType: auditLog.actorType, reason: auditLog.reason, email: adminUsers.email })
    .from(auditLog)
    // Who, by email; a user of the same organization only (a deleted one shows as "an admin").
    .leftJoin(adminUsers, and(eq(adminUsers.id, auditLog.actorId), eq(adminUsers.organizationId, auditLog.organizationId)))
    .where(scopedTo(admin.organizationId, auditLog, and(eq(auditLog.targetType, "flag"), inArray(auditLog.action, FLAG_ACTIONS))))
    .orderBy(desc(auditLog.createdAt))
    .limit(200);
  return {
    unleash,
    flags: FLAG_NAMES.map((name) => {
      const last = changes.find((c) => c.targetId === name);
      return {
        name,
        description: FLAG_DEFINITIONS[name].description,
        defaultInCode: FLAG_DEFINITIONS[name].default,
        state: states.get(name) ?? null,
        lastChange: last ? { action: last.action, at: last.createdAt.toISOString(), by: last.actorType === "system" ? "rollout guard" : (last.email ?? "an admin"), reason: last.reason } : null,
      };
    }),
  };
}

/** Enabled vs control cohorts of one flag over a window, and the guard's past decisions for it. */
export async function describeFlag(ctx: Context, admin: Admin, input: { name: string; windowMinutes: number }) {
  const name = flagNameOf(input.name);
  const comparison = await compareCohorts(ctx.db, name, input.windowMinutes);
  const history = await ctx.db
    .select()
    .from(alerts)
    .where(scopedTo(admin.organizationId, alerts, eq(alerts.rule, "rollout_guard")))
    .orderBy(desc(alerts.startedAt))
    .limit(50);
  return {
    name,
    comparison,
    guardHistory: history
      .filter((a) => (a.details as { flag?: string } | null)?.flag === name)
      .map((a) => ({ at: a.startedAt.toISOString(), message: a.message, severity: a.severity })),
  };
}

export async function setRollout(ctx: Context, admin: Admin, input: { name: string; rollout: number; reason: string }) {
  const name = flagNameOf(input.name);
  const unleash = unleashOf(ctx);
  const change = { action: "flag.rollout", flag: name, reason: input.reason, requested: { to: input.rollout } };
  return changeInUnleash(ctx, admin, change, async () => {
    const before = await unleash.getFlag(name);
    const after = await unleash.setRollout(name, input.rollout);
    return { state: after, details: { from: before?.rollout ?? null, to: after.rollout } };
  });
}

export async function setEnabled(ctx: Context, admin: Admin, input: { name: string; enabled: boolean; reason: string }) {
  const name = flagNameOf(input.name);
  const unleash = unleashOf(ctx);
  const change = { action: input.enabled ? "flag.enable" : "flag.disable", flag: name, reason: input.reason, requested: { enabled: input.enabled } };
  return changeInUnleash(ctx, admin, change, async () => {
    const after = await unleash.setEnabled(name, input.enabled);
    return { state: after, details: { enabled: after.enabled } };
  });
}

type FlagChange = { action: string; flag: FlagName; reason: string; requested: Record<string, unknown> };

/**
 * Unleash is outside our transactions, so a change there and its audit row
 * cannot commit together. Instead the intent is committed before Unleash is
 * asked (no audit row, no change), and the outcome after: the change, or its
 * failure with Unleash's answer. An intent without an outcome means the
 * outcome is unknown (we went down mid-way); Unleash's state, which the
 * Flags page shows, is then the truth. So is it after a failure without an
 * answer (a timeout): Unleash may have applied a change we record as failed.
 */
async function changeInUnleash<T>(ctx: Context, admin: Admin, change: FlagChange, apply: () => Promise<{ state: T; details: Record<string, unknown> }>): Promise<T> {
  const requestId = await record(ctx, admin, `${change.action}.requested`, change, change.requested);
  let outcome: { state: T; details: Record<string, unknown> };
  try {
    outcome = await apply();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // The caller hears about Unleash even if this row cannot be written; the intent row stays.
    await record(ctx, admin, `${change.action}.failed`, change, { requestId, ...change.requested, error: reason }).catch((auditError: unknown) =>
      ctx.log.error({ err: auditError, flag: change.flag, requestId }, "could not record a failed flag change"),
    );
    if (error instanceof UnleashAdminError) throw new DomainError("SERVICE_UNAVAILABLE", `Unleash could not be reached or refused the change: ${error.message}`);
    throw error;
  }
  await record(ctx, admin, change.action, change, { requestId, ...outcome.details });
  return outcome.state;
}

async function record(ctx: Context, admin: Admin, action: string, change: FlagChange, details: Record<string, unknown>): Promise<string> {
  const [row] = await ctx.db
    .insert(auditLog)
    .values({ organizationId: admin.organizationId, actorType: "admin", actorId: admin.userId, action, targetType: "flag", targetId: change.flag, reason: change.reason, details })
    .returning({ id: auditLog.id });
  if (!row) throw new Error("the audit insert returned no row");
  return row.id;
}
