import { z } from "zod";

import { listAlerts } from "../alerts/list-alerts";
import { listAlertRules, updateAlertRule, updateAlertRuleInput } from "../alerts/rules";
import { adminProcedure, adminWriteProcedure, router } from "../trpc";

/** Alerts are opened and closed by the worker's evaluator (and the rollout guard); admins tune the rules. */
export const alertsRouter = router({
  list: adminProcedure.input(z.object({ limit: z.number().int().min(1).max(100).default(50) })).query(({ ctx, input }) => listAlerts(ctx.db, ctx.admin.organizationId, input)),
  rules: adminProcedure.query(({ ctx }) => listAlertRules(ctx.db, ctx.admin.organizationId)),
  updateRule: adminWriteProcedure.input(updateAlertRuleInput).mutation(({ ctx, input }) => updateAlertRule(ctx.db, ctx.admin, input)),
});
