import { eq } from "drizzle-orm";

import { sites } from "@leadline/db/schema";
import type { z } from "zod";
import type { embedPolicyInput } from "@leadline/validators/chat";

import type { Context } from "../context";
import { notFound } from "../errors";

export type EmbedPolicy = { allowedOrigins: string[] };

/**
 * The customer pages that may show a site's chat. The widget's server puts
 * them in the embed page's `frame-ancestors`, so the browser, not this API,
 * enforces them: an API call's Origin is always the widget's own.
 */
export async function loadEmbedPolicy(ctx: Context, input: z.infer<typeof embedPolicyInput>): Promise<EmbedPolicy> {
  const [site] = await ctx.db.select({ allowedOrigins: sites.allowedOrigins }).from(sites).where(eq(sites.publicKey, input.siteKey));
  if (!site) throw notFound("Site");
  return { allowedOrigins: site.allowedOrigins };
}
