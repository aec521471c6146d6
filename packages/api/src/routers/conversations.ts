import { z } from "zod";

import { CONVERSATION_PAGE_SIZE, getConversation } from "../conversations/get-conversation";
import { listConversations } from "../conversations/list-conversations";
import { adminProcedure, router } from "../trpc";

export const conversationsRouter = router({
  list: adminProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(25), cursor: z.string().max(200).optional() }))
    .query(({ ctx, input }) => listConversations(ctx.db, ctx.admin.organizationId, input)),
  get: adminProcedure
    .input(
      z.object({
        sessionId: z.uuid(),
        cursor: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(CONVERSATION_PAGE_SIZE.max).default(CONVERSATION_PAGE_SIZE.default),
      }),
    )
    .query(({ ctx, input }) => getConversation(ctx.db, ctx.admin.organizationId, input)),
});
