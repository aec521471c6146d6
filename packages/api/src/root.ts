import { authRouter } from "./routers/auth";
import { chatRouter } from "./routers/chat";
import { flagsRouter } from "./routers/flags";
import { sitesRouter } from "./routers/sites";
import { systemRouter } from "./routers/system";
import { router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  chat: chatRouter,
  flags: flagsRouter,
  sites: sitesRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
