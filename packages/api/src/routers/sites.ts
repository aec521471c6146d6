import { z } from "zod";

import { plainText } from "@leadline/validators/common";

import { listSites, updateSite } from "../sites/manage-sites";
import { describeSiteLimits } from "../sites/site-limits";
import { adminProcedure, adminWriteProcedure, router } from "../trpc";

/**
 * A customer page's origin, stored as browsers send it (lower-case host, no
 * trailing slash, default port dropped): frame-ancestors and the loader's
 * check compare it exactly, so "https://Shop.example/" must become
 * "https://shop.example" rather than be kept as typed and never match.
 */
const origin = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, error: "An origin starts with https:// or http://" }))
  .refine((u) => {
    const url = new URL(u);
    return (url.pathname === "/" || url.pathname === "") && !url.search && !url.hash && !url.username && !url.password;
  }, "An origin is scheme://host[:port] only: no path, query or #fragment")
  .transform((u) => new URL(u).origin);

const perMinute = (max: number) => z.number().int("a whole number").min(1, "at least 1").max(max, `at most ${max}`);
/** A site's own limits; a field left out takes the deployment's default. */
const siteRateLimits = z
  .object({
    sessionMessagesPerMinute: perMinute(1_000),
    addressMessagesPerMinute: perMinute(10_000),
    siteMessagesPerMinute: perMinute(100_000),
    addressSessionsPerMinute: perMinute(1_000),
    siteSessionsPerMinute: perMinute(100_000),
    messagesPerSession: perMinute(10_000),
  })
  .partial()
  .strict();
/** Dollars a day or a month; null takes the deployment's default, 0 switches the model off. */
const budgetUsd = z
  .number()
  .min(0, "0 or more")
  .max(1_000_000, "at most 1,000,000")
  .nullable()
  .transform((usd) => (usd === null ? null : usd.toFixed(4)));

const changes = z
  .object({
    name: plainText.trim().min(1).max(100),
    greeting: plainText.trim().min(1).max(500),
    systemPrompt: plainText.trim().min(1).max(8_000),
    allowedOrigins: z.array(origin).max(50),
    theme: z.object({ title: plainText.trim().min(1).max(60), primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, "A colour like #2563eb"), position: z.enum(["bottom-right", "bottom-left"]) }),
    qualificationSettings: z.object({ qualifiedScore: z.number().int().min(1).max(100), hotScore: z.number().int().min(1).max(100) }).refine((q) => q.hotScore >= q.qualifiedScore, "hotScore must be at least qualifiedScore"),
    rateLimits: siteRateLimits,
    dailyBudgetUsd: budgetUsd,
    monthlyBudgetUsd: budgetUsd,
  })
  .partial()
  .refine((c) => Object.keys(c).length > 0, "Nothing to change");

export const sitesRouter = router({
  list: adminProcedure.query(({ ctx }) => listSites(ctx, ctx.admin)),
  /** A site's limits and budgets as they apply (its own, else the deployment's), and its spend so far. */
  limits: adminProcedure.input(z.object({ id: z.uuid() })).query(({ ctx, input }) => describeSiteLimits(ctx, ctx.admin, input.id)),
  update: adminWriteProcedure
    .input(z.object({ id: z.uuid(), changes, reason: plainText.trim().max(500).optional() }))
    .mutation(({ ctx, input }) => updateSite(ctx, ctx.admin, input)),
});
