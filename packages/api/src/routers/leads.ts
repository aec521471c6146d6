import { z } from "zod";

import { leads } from "@leadline/db/schema";

import { getLead, listLeads } from "../leads/list-leads";
import { adminProcedure, router } from "../trpc";

export const leadsRouter = router({
  list: adminProcedure
    .input(z.object({ status: z.enum(leads.status.enumValues).optional(), limit: z.number().int().min(1).max(100).default(25), cursor: z.string().max(200).optional() }))
    .query(({ ctx, input }) => listLeads(ctx.db, ctx.admin.organizationId, input)),
  get: adminProcedure.input(z.object({ id: z.uuid() })).query(({ ctx, input }) => getLead(ctx.db, ctx.admin.organizationId, input.id)),
});
