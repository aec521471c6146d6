/**
 * Test data for the alert and report tests: organizations with a site and a
 * session, messages with their timings (and what hangs off them) at chosen
 * times, and a webhook receiver that records what it is sent.
 */
import { createServer } from "node:http";

import type { Database } from "@leadline/db/client";
import { hashPassword } from "@leadline/db/password";
import { adminUsers, backgroundRuns, chatMessages, chatSessions, feedback, messageCosts, organizations, requestTimings, sites, visitors, type StageTiming } from "@leadline/db/schema";
import { eq } from "drizzle-orm";

export type Tenant = { organizationId: string; siteId: string; sessionId: string };

/** An organization with a site (copied from the demo one), a visitor and a session; optionally a user who can log in. */
export async function createTenant(db: Database, slug: string, user?: { email: string; password: string; role: "admin" | "viewer" }): Promise<Tenant> {
  const [demoSite] = await db.select().from(sites).where(eq(sites.publicKey, "demo"));
  const [org] = await db.insert(organizations).values({ name: slug, slug }).returning();
  const organizationId = org!.id;
  const [site] = await db.insert(sites).values({ ...demoSite!, id: undefined, organizationId, publicKey: `${slug}-key` }).returning();
  if (user) await db.insert(adminUsers).values({ organizationId, email: user.email, role: user.role, passwordHash: await hashPassword(user.password) });
  return { organizationId, siteId: site!.id, ...(await createSession(db, organizationId, site!.id)) };
}

export async function createSession(db: Database, organizationId: string, siteId: string) {
  const [visitor] = await db.insert(visitors).values({ organizationId, siteId }).returning();
  const [session] = await db.insert(chatSessions).values({ organizationId, siteId, visitorId: visitor!.id }).returning();
  return { sessionId: session!.id };
}

export type SeededMessage = {
  at: Date;
  totalMs: number;
  ttftMs?: number | null;
  failed?: boolean;
  /** Background lag of the message's background run; none: no run. */
  lagMs?: number | null;
  stages?: StageTiming[];
  cacheHits?: Record<string, { hits: number; misses: number }>;
  /** The reply's cost in USD (priced); null: an unpriced reply; none: no cost row. */
  costUsd?: string | null;
  rating?: "up" | "down";
};

/** Assistant messages with their timing rows, background runs, costs and feedback, as the pipeline records them. */
export async function seedMessages(db: Database, tenant: Tenant, messages: SeededMessage[]) {
  if (messages.length === 0) return;
  const { organizationId, siteId, sessionId } = tenant;
  const rows = await db
    .insert(chatMessages)
    .values(messages.map((m, i) => ({ organizationId, sessionId, role: "assistant" as const, content: `answer ${i}`, createdAt: m.at })))
    .returning({ id: chatMessages.id });
  const each = messages.map((m, i) => ({ m, messageId: rows[i]!.id }));
  await db.insert(requestTimings).values(
    each.map(({ m, messageId }) => ({
      organizationId,
      siteId,
      sessionId,
      messageId,
      totalMs: m.totalMs,
      timeToFirstTokenMs: m.ttftMs === undefined ? m.totalMs / 4 : m.ttftMs,
      outcome: m.failed ? "failed" : "complete",
      stages: m.stages ?? [],
      cacheHits: m.cacheHits ?? {},
      createdAt: m.at,
    })),
  );
  const runs = each.filter(({ m }) => m.lagMs !== undefined && m.lagMs !== null);
  if (runs.length) await db.insert(backgroundRuns).values(runs.map(({ m, messageId }) => ({ organizationId, messageId, lagMs: m.lagMs!, stages: [], completedAt: m.at })));
  const costs = each.filter(({ m }) => m.costUsd !== undefined);
  if (costs.length) {
    await db.insert(messageCosts).values(
      costs.map(({ m, messageId }) => ({ organizationId, messageId, model: "gpt-4o-mini", inputTokens: 100, cachedInputTokens: 0, outputTokens: 20, priced: m.costUsd !== null, costUsd: m.costUsd, createdAt: m.at })),
    );
  }
  const rated = each.filter(({ m }) => m.rating);
  if (rated.length) await db.insert(feedback).values(rated.map(({ m, messageId }) => ({ organizationId, sessionId, messageId, rating: m.rating!, createdAt: m.at })));
}

export type ReceivedWebhook = { id: string; type: string; data: Record<string, unknown>; signed: boolean };

/** A customer's webhook endpoint on a free local port: answers 200 and keeps every request. */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
      received.push({ id: String(req.headers["webhook-id"]), type: parsed.type, data: parsed.data, signed: String(req.headers["webhook-signature"] ?? "").startsWith("v1,") });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Postgres' percentile_cont: linear interpolation between the two nearest ranks; null without values. */
export function percentileCont(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}
