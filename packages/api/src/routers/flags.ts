import { z } from "zod";

import { describeFlag, listFlags, setEnabled, setRollout } from "../flags/manage-flags";
import { adminProcedure, adminWriteProcedure, router } from "../trpc";

const reason = z.string().trim().min(3, "Say why (at least 3 characters)").max(500);
const flagName = z.string().min(1).max(100);

export const flagsRouter = router({
  list: adminProcedure.query(({ ctx }) => listFlags(ctx, ctx.admin)),
  describe: adminProcedure
    .input(z.object({ name: flagName, windowMinutes: z.union([z.literal(15), z.literal(60), z.literal(1440)]).default(15) }))
    .query(({ ctx, input }) => describeFlag(ctx, ctx.admin, input)),
  setRollout: adminWriteProcedure
    .input(z.object({ name: flagName, rollout: z.number().int("Rollout is a whole percentage").min(0, "Rollout is 0–100").max(100, "Rollout is 0–100"), reason }))
    .mutation(({ ctx, input }) => setRollout(ctx, ctx.admin, input)),
  setEnabled: adminWriteProcedure.input(z.object({ name: flagName, enabled: z.boolean(), reason })).mutation(({ ctx, input }) => setEnabled(ctx, ctx.admin, input)),
});
