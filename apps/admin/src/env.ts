/**
 * The admin app's configuration, read from the environment on the server only
 * and validated; nothing else reads process.env. The root layout passes values
 * to client components as props, so a change needs a restart, not a rebuild.
 */
import "server-only";

import { z } from "zod";

const httpUrl = z.url("must be a URL").refine((u) => /^https?:\/\//.test(u), "must start with http:// or https://");

const schema = z.object({
  /**
   * The tRPC endpoint as the admin's browser reaches it (not as this server would).
   * It must be the same site as this app (localhost:3001 and localhost:4000 are),
   * or the browser will not send the SameSite=Lax session cookie to it.
   */
  API_URL: z.preprocess((v) => (v === "" ? undefined : v), httpUrl.default("http://localhost:4000/trpc")),
  /**
   * Where the widget app is served (e.g. http://localhost:3000), so that pages
   * without traffic yet can link to its demo page. Optional: without it they
   * explain where to find the demo instead.
   */
  WIDGET_URL: z.preprocess((v) => (v === "" ? undefined : v), httpUrl.optional()),
  /** `next dev` needs eval for React's debugging, so the CSP allows it there only. */
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
});

export type AdminEnv = z.infer<typeof schema>;

function readEnv(source: Record<string, string | undefined>): AdminEnv {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "?");
      return `${name}: ${issue.message} (got ${JSON.stringify(source[name])})`;
    });
    throw new Error(`Invalid environment for the admin app:\n  ${lines.join("\n  ")}`);
  }
  return result.data;
}

export const env = readEnv(process.env);
