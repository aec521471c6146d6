import { alertsRouter } from "./routers/alerts";
import { authRouter } from "./routers/auth";
import { chatRouter } from "./routers/chat";
import { conversationsRouter } from "./routers/conversations";
import { flagsRouter } from "./routers/flags";
import { leadsRouter } from "./routers/leads";
import { metricsRouter } from "./routers/metrics";
import { reportsRouter } from "./routers/reports";
import { sitesRouter } from "./routers/sites";
import { systemRouter } from "./routers/system";
import { router } from "./trpc";

export const appRouter = router({
  alerts: alertsRouter,
  auth: authRouter,
  chat: chatRouter,
  conversations: conversationsRouter,
  flags: flagsRouter,
  leads: leadsRouter,
  metrics: metricsRouter,
  reports: reportsRouter,
  sites: sitesRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
