import { and, desc, eq, inArray } from "drizzle-orm";

import { adminUsers, alerts, auditLog, organizations } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";
import { FLAG_DEFINITIONS, FLAG_NAMES, isFlagName, type FlagName } from "@leadline/flags/definitions";
import { compareCohorts } from "@leadline/flags/guard-cohorts";
import { UnleashAdminError, type FlagState } from "@leadline/flags/unleash-admin";

import type { Context } from "../context";
import { DomainError, notFound } from "../errors";

type Admin = { userId: string; organizationId: string };

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

/** Unleash failures become one clear error; nothing was changed. */
async function callUnleash<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UnleashAdminError) throw new DomainError("SERVICE_UNAVAILABLE", `Unleash could not be reached or refused the change: ${error.message}`);
    throw error;
  }
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
  const before = await callUnleash(() => unleash.getFlag(name));
  const after = await callUnleash(() => unleash.setRollout(name, input.rollout));
  await record(ctx, admin, "flag.rollout", name, input.reason, { from: before?.rollout ?? null, to: after.rollout });
  return after;
}

export async function setEnabled(ctx: Context, admin: Admin, input: { name: string; enabled: boolean; reason: string }) {
  const name = flagNameOf(input.name);
  const unleash = unleashOf(ctx);
  const after = await callUnleash(() => unleash.setEnabled(name, input.enabled));
  await record(ctx, admin, input.enabled ? "flag.enable" : "flag.disable", name, input.reason, { enabled: after.enabled });
  return after;
}

async function record(ctx: Context, admin: Admin, action: string, flag: string, reason: string, details: Record<string, unknown>) {
  await ctx.db.insert(auditLog).values({ organizationId: admin.organizationId, actorType: "admin", actorId: admin.userId, action, targetType: "flag", targetId: flag, reason, details });
}
