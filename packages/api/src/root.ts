import { chatRouter } from "./routers/chat";
import { systemRouter } from "./routers/system";
import { router } from "./trpc";

export const appRouter = router({
  chat: chatRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
