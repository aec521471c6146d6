import { and, eq, inArray } from "drizzle-orm";

import { outboxEvents, webhookDeliveries, webhookEndpoints } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { byOrganization, type BatchableStage } from "../runner";
import type { StageContext } from "../stage";

/**
 * Fans this message's domain events out to the organization's webhook
 * endpoints: one delivery row per (endpoint, event), created once however
 * often this runs, each delivered with retries by the queue.
 */
export const notifyWebhooksStage: BatchableStage = {
  name: "notify-webhooks",
  flag: "pipeline.background",
  modes: ["inline", "background"],
  after: ["qualify-lead"],
  neededFrom: "simple",
  reads: ["outbox_events", "webhook_endpoints"],
  writes: ["webhook_deliveries"],
  timeoutMs: 5_000,
  run: (ctx) => notifyOrganization([ctx]),
  runBatch: (ctxs) => Promise.all([...byOrganization(ctxs)].map(([, group]) => notifyOrganization(group))).then(() => {}),
};

/** One look at the organization's endpoints for all its messages: most have none, and then there is nothing more to do. */
async function notifyOrganization(ctxs: readonly StageContext[]) {
  const [first] = ctxs;
  if (!first) return;
  const endpoints = await first.db
    .select()
    .from(webhookEndpoints)
    .where(scopedTo(first.facts.organizationId, webhookEndpoints, eq(webhookEndpoints.enabled, true)));
  if (endpoints.length === 0) return;
  await Promise.all(ctxs.map((ctx) => notifyMessage(ctx, endpoints)));
}

async function notifyMessage(ctx: StageContext, endpoints: (typeof webhookEndpoints.$inferSelect)[]) {
  const { facts } = ctx;
  const events = await ctx.db.select().from(outboxEvents).where(scopedTo(facts.organizationId, outboxEvents, eq(outboxEvents.messageId, facts.reply.id)));
  const rows = endpoints.flatMap((endpoint) =>
    events
      .filter((event) => endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(event.type))
      .map((event) => ({
        organizationId: facts.organizationId,
        endpointId: endpoint.id,
        eventId: event.id,
        eventType: event.type,
        payload: { type: event.type, timestamp: event.createdAt.toISOString(), data: event.payload },
      })),
  );
  if (rows.length === 0) return;
  await ctx.db.insert(webhookDeliveries).values(rows).onConflictDoNothing({ target: [webhookDeliveries.endpointId, webhookDeliveries.eventId] });
  const pending = await ctx.db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      scopedTo(
        facts.organizationId,
        webhookDeliveries,
        and(inArray(webhookDeliveries.eventId, events.map((e) => e.id)), eq(webhookDeliveries.status, "pending")),
      ),
    );
  const mode = facts.flags["pipeline.background"] ? "background" : "inline";
  await Promise.all(pending.map((delivery) => ctx.services.deliverWebhook(delivery.id, mode, facts.organizationId)));
}
