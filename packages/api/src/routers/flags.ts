import { z } from "zod";

import { plainText } from "@leadline/validators/common";

import { assertOperator, describeFlag, listFlags, setEnabled, setRollout } from "../flags/manage-flags";
import { adminProcedure, adminWriteProcedure, router } from "../trpc";

// Flags are the deployment's, not a tenant's: only the operator's organization sees or changes them.
const operatorProcedure = adminProcedure.use(async ({ ctx, next }) => {
  await assertOperator(ctx, ctx.admin);
  return next();
});
const operatorWriteProcedure = adminWriteProcedure.use(async ({ ctx, next }) => {
  await assertOperator(ctx, ctx.admin);
  return next();
});

const reason = plainText.trim().min(3, "Say why (at least 3 characters)").max(500);
const flagName = plainText.min(1).max(100);

export const flagsRouter = router({
  list: operatorProcedure.query(({ ctx }) => listFlags(ctx, ctx.admin)),
  describe: operatorProcedure
    .input(z.object({ name: flagName, windowMinutes: z.union([z.literal(15), z.literal(60), z.literal(1440)]).default(15) }))
    .query(({ ctx, input }) => describeFlag(ctx, ctx.admin, input)),
  setRollout: operatorWriteProcedure
    .input(z.object({ name: flagName, rollout: z.number().int("Rollout is a whole percentage").min(0, "Rollout is 0–100").max(100, "Rollout is 0–100"), reason }))
    .mutation(({ ctx, input }) => setRollout(ctx, ctx.admin, input)),
  setEnabled: operatorWriteProcedure.input(z.object({ name: flagName, enabled: z.boolean(), reason })).mutation(({ ctx, input }) => setEnabled(ctx, ctx.admin, input)),
});
