import { eq, sql } from "drizzle-orm";

import { auditLog, sites } from "@leadline/db/schema";
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
}>;

export async function listSites(ctx: Context, admin: Admin) {
  return ctx.db.select().from(sites).where(scopedTo(admin.organizationId, sites)).orderBy(sites.createdAt);
}

/**
 * Changes a site's configuration and invalidates it in the cache everywhere
 * (this process, Redis, and every other server through pub/sub), so the next
 * message on any server uses the new config.
 */
export async function updateSite(ctx: Context, admin: Admin, input: { id: string; changes: SiteChanges; reason?: string }) {
  const [site] = await ctx.db
    .update(sites)
    .set({ ...input.changes, updatedAt: sql`now()` })
    .where(scopedTo(admin.organizationId, sites, eq(sites.id, input.id)))
    .returning();
  if (!site) throw notFound("Site");
  await ctx.pipeline.cache.invalidate("siteConfig", admin.organizationId, site.id);
  await ctx.db.insert(auditLog).values({
    organizationId: admin.organizationId,
    actorType: "admin",
    actorId: admin.userId,
    action: "site.update",
    targetType: "site",
    targetId: site.id,
    reason: input.reason ?? null,
    details: { fields: Object.keys(input.changes) },
  });
  return site;
}
