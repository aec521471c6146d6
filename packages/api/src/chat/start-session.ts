import { eq, sql } from "drizzle-orm";

import { chatSessions, sites, visitors } from "@leadline/db/schema";
import type { StartSessionOutput } from "@leadline/validators/chat";
import type { z } from "zod";
import type { startSessionInput } from "@leadline/validators/chat";

import type { Context } from "../context";
import { notFound } from "../errors";
import { admitSessionStart, primeNewSession } from "../limits/admission";
import { siteLimitsOf } from "../limits/site-limits";
import { signSessionToken } from "./session-token";
import { writeSessionState } from "@leadline/pipeline/session-state";

/**
 * A new chat session on a site; the returned token binds the session, its site
 * and its organization, signed by the server. The call comes from the widget's
 * iframe (widgetProcedure checks that), so its Origin says nothing of the page
 * that shows the chat: the site's allowed origins are enforced by the browser
 * through the embed page's frame-ancestors (see embed-policy.ts).
 */
export async function startSession(ctx: Context, input: z.infer<typeof startSessionInput>): Promise<StartSessionOutput> {
  // The public key is the entry point: it is what tells us the organization.
  const [site] = await ctx.db.select().from(sites).where(eq(sites.publicKey, input.siteKey));
  if (!site) throw notFound("Site");
  const limits = siteLimitsOf(ctx, site);
  await admitSessionStart(ctx, limits);

  const { sessionId, visitorId } = await ctx.db.transaction(async (tx) => {
    const [visitor] = await tx
      .insert(visitors)
      .values({ organizationId: site.organizationId, siteId: site.id, externalId: input.visitorId ?? null })
      .onConflictDoUpdate({ target: [visitors.siteId, visitors.externalId], set: { lastSeenAt: sql`now()` } })
      .returning({ id: visitors.id });
    if (!visitor) throw new Error("visitor was not stored");
    const [session] = await tx
      .insert(chatSessions)
      .values({ organizationId: site.organizationId, siteId: site.id, visitorId: visitor.id })
      .returning({ id: chatSessions.id });
    if (!session) throw new Error("session was not stored");
    return { sessionId: session.id, visitorId: visitor.id };
  });

  const claims = { sessionId, siteId: site.id, organizationId: site.organizationId };
  // Known to be empty: the session's first message needs no lookup before the model (see session-state.ts).
  await writeSessionState(ctx.pipeline.cache, claims, { siteId: site.id, visitorId, history: [], recentClientMessageIds: [] });
  primeNewSession(ctx, limits, sessionId);
  return {
    sessionId,
    sessionToken: signSessionToken(claims, ctx.config.sessionSecret, ctx.config.sessionTtlSeconds),
    greeting: site.greeting,
    theme: site.theme,
    demoModel: ctx.llm.demo,
  };
}
