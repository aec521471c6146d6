import { z } from "zod";

import { listAlerts } from "../alerts/list-alerts";
import { adminProcedure, router } from "../trpc";

/** Read-only for now: alerts are opened and closed by the server's own rules. */
export const alertsRouter = router({
  list: adminProcedure.input(z.object({ limit: z.number().int().min(1).max(100).default(50) })).query(({ ctx, input }) => listAlerts(ctx.db, ctx.admin.organizationId, input)),
});
