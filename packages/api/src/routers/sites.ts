import { z } from "zod";

import { plainText } from "@leadline/validators/common";

import { listSites, updateSite } from "../sites/manage-sites";
import { adminProcedure, adminWriteProcedure, router } from "../trpc";

const origin = z.url().refine((u) => new URL(u).origin === u.replace(/\/$/, ""), "An origin is scheme://host[:port], nothing more");

const changes = z
  .object({
    name: plainText.trim().min(1).max(100),
    greeting: plainText.trim().min(1).max(500),
    systemPrompt: plainText.trim().min(1).max(8_000),
    allowedOrigins: z.array(origin).max(50),
    theme: z.object({ title: plainText.trim().min(1).max(60), primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, "A colour like #2563eb"), position: z.enum(["bottom-right", "bottom-left"]) }),
    qualificationSettings: z.object({ qualifiedScore: z.number().int().min(1).max(100), hotScore: z.number().int().min(1).max(100) }).refine((q) => q.hotScore >= q.qualifiedScore, "hotScore must be at least qualifiedScore"),
  })
  .partial()
  .refine((c) => Object.keys(c).length > 0, "Nothing to change");

export const sitesRouter = router({
  list: adminProcedure.query(({ ctx }) => listSites(ctx, ctx.admin)),
  update: adminWriteProcedure
    .input(z.object({ id: z.uuid(), changes, reason: plainText.trim().max(500).optional() }))
    .mutation(({ ctx, input }) => updateSite(ctx, ctx.admin, input)),
});
