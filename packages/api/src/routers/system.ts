import { ping } from "@leadline/db/client";

import { publicProcedure, router } from "../trpc";

/** Liveness facts a client or an operator can ask for over tRPC. */
export const systemRouter = router({
  status: publicProcedure.query(async ({ ctx }) => {
    const database = await ping(ctx.sql).then(
      () => "up" as const,
      () => "down" as const,
    );
    return { version: ctx.config.version, database };
  }),
});
