/**
 * The widget's configuration, read from the environment on the server only and
 * validated; nothing else reads process.env. Pages pass values to client
 * components as props, so a change needs a restart, not a rebuild.
 */
import "server-only";

import { z } from "zod";

const httpUrl = z.url("must be a URL").refine((u) => /^https?:\/\//.test(u), "must start with http:// or https://");

const schema = z.object({
  /** The tRPC endpoint as the visitor's browser reaches it (not as this server would). */
  API_URL: z.preprocess((v) => (v === "" ? undefined : v), httpUrl.default("http://localhost:4000/trpc")),
  /**
   * The tRPC endpoint as this server reaches it, when that differs from API_URL
   * (a private address): the embed page's frame-ancestors come from there.
   */
  API_INTERNAL_URL: z.preprocess((v) => (v === "" ? undefined : v), httpUrl.optional()),
  /** `next dev` needs eval for React's debugging, so the CSP allows it there only. */
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
});

export type WidgetEnv = z.infer<typeof schema>;

function readEnv(source: Record<string, string | undefined>): WidgetEnv {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "?");
      return `${name}: ${issue.message} (got ${JSON.stringify(source[name])})`;
    });
    throw new Error(`Invalid environment for the widget:\n  ${lines.join("\n  ")}`);
  }
  return result.data;
}

export const env = readEnv(process.env);
