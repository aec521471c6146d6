import { eq, sql } from "drizzle-orm";

import type { Executor } from "./client";
import { outboxEvents, webhookDeliveries, webhookEndpoints } from "./schema/index";
import { scopedTo } from "./tenant";

export type PendingDelivery = { id: string; organizationId: string };

/**
 * Records a domain event that belongs to no chat message (a flag rolled back,
 * an alert opened or resolved) and, in the same transaction, one webhook
 * delivery for each of the organization's enabled endpoints that wants its
 * type. The event is processed here and now, so the outbox relay leaves it
 * alone. Returns the deliveries, to be handed to the queue once the
 * transaction has committed.
 */
export async function recordEvent(tx: Executor, event: { organizationId: string; type: string; payload: Record<string, unknown> }): Promise<PendingDelivery[]> {
  const { organizationId, type, payload } = event;
  const [row] = await tx.insert(outboxEvents).values({ organizationId, type, payload, processedAt: sql`now()` }).returning();
  if (!row) throw new Error("inserting an outbox event returned no row");
  const endpoints = await tx.select().from(webhookEndpoints).where(scopedTo(organizationId, webhookEndpoints, eq(webhookEndpoints.enabled, true)));
  const wanted = endpoints.filter((e) => e.eventTypes.length === 0 || e.eventTypes.includes(type));
  if (wanted.length === 0) return [];
  const body = { type, timestamp: row.createdAt.toISOString(), data: payload };
  const deliveries = await tx
    .insert(webhookDeliveries)
    .values(wanted.map((e) => ({ organizationId, endpointId: e.id, eventId: row.id, eventType: type, payload: body })))
    .returning({ id: webhookDeliveries.id });
  return deliveries.map((d) => ({ id: d.id, organizationId }));
}
