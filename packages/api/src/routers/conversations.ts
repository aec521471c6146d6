import { z } from "zod";

import { getConversation } from "../conversations/get-conversation";
import { listConversations } from "../conversations/list-conversations";
import { adminProcedure, router } from "../trpc";

export const conversationsRouter = router({
  list: adminProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(25), cursor: z.string().max(200).optional() }))
    .query(({ ctx, input }) => listConversations(ctx.db, ctx.admin.organizationId, input)),
  get: adminProcedure.input(z.object({ sessionId: z.uuid() })).query(({ ctx, input }) => getConversation(ctx.db, ctx.admin.organizationId, input.sessionId)),
});
