import { eq, sql } from "drizzle-orm";

import { auditLog, sites, type SiteRateLimits } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import type { Context } from "../context";
import { notFound } from "../errors";

type Admin = { userId: string; organizationId: string };

export type SiteChanges = Partial<{
  name: string;
  greeting: string;
  systemPrompt: string;
  allowedOrigins: string[];
  theme: { title: string; primaryColor: string; position: "bottom-right" | "bottom-left" };
  qualificationSettings: { qualifiedScore: number; hotScore: number };
  rateLimits: SiteRateLimits;
  dailyBudgetUsd: string | null;
  monthlyBudgetUsd: string | null;
}>;

export async function listSites(ctx: Context, admin: Admin) {
  return ctx.db.select().from(sites).where(scopedTo(admin.organizationId, sites)).orderBy(sites.createdAt);
}

/**
 * Changes a site's configuration together with its audit row (a change no
 * one can account for is not kept), then invalidates it in the cache
 * everywhere (this process, Redis, and every other server through pub/sub),
 * so the next message on any server uses the new config.
 */
export async function updateSite(ctx: Context, admin: Admin, input: { id: string; changes: SiteChanges; reason?: string }) {
  const site = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(sites)
      .set({ ...input.changes, updatedAt: sql`now()` })
      .where(scopedTo(admin.organizationId, sites, eq(sites.id, input.id)))
      .returning();
    if (!row) throw notFound("Site");
    await tx.insert(auditLog).values({
      organizationId: admin.organizationId,
      actorType: "admin",
      actorId: admin.userId,
      action: "site.update",
      targetType: "site",
      targetId: row.id,
      reason: input.reason ?? null,
      details: { fields: Object.keys(input.changes) },
    });
    return row;
  });
  // Only after the commit: a load between an earlier invalidation and the commit would cache the old config again.
  await ctx.pipeline.cache.invalidate("siteConfig", admin.organizationId, site.id);
  await ctx.pipeline.cache.invalidate("siteLimits", admin.organizationId, site.id);
  return site;
}
