import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";

import type { Database } from "@leadline/db/client";
import { webhookDeliveries, webhookEndpoints } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

const TIMEOUT_MS = 5_000;

export type DeliveryOutcome = { delivered: boolean; statusCode: number | null; error: string | null };

/**
 * One attempt to deliver a webhook, signed per the Standard Webhooks spec.
 * The webhook-id is the event's id on every attempt, so a receiver can drop
 * duplicates. The attempt is recorded whatever happens.
 */
export async function attemptDelivery(db: Database, organizationId: string, deliveryId: string): Promise<DeliveryOutcome> {
  const [row] = await db
    .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(scopedTo(organizationId, webhookDeliveries, eq(webhookDeliveries.id, deliveryId)));
  if (!row) return { delivered: false, statusCode: null, error: "delivery not found" };
  if (row.delivery.status === "delivered") return { delivered: true, statusCode: row.delivery.lastStatusCode, error: null };

  const body = JSON.stringify(row.delivery.payload);
  const timestamp = new Date();
  const signature = new Webhook(row.endpoint.secret).sign(row.delivery.eventId, timestamp, body);
  let outcome: DeliveryOutcome;
  try {
    const response = await fetch(row.endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Leadline-Webhooks/1",
        "webhook-id": row.delivery.eventId,
        "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
        "webhook-signature": signature,
      },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: "manual",
    });
    await response.body?.cancel();
    outcome = { delivered: response.ok, statusCode: response.status, error: response.ok ? null : `HTTP ${response.status}` };
  } catch (error) {
    outcome = { delivered: false, statusCode: null, error: error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error) };
  }
  await db
    .update(webhookDeliveries)
    .set({
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      status: outcome.delivered ? "delivered" : "failed",
      lastStatusCode: outcome.statusCode,
      lastError: outcome.error,
      deliveredAt: outcome.delivered ? sql`now()` : null,
    })
    .where(scopedTo(organizationId, webhookDeliveries, eq(webhookDeliveries.id, deliveryId)));
  return outcome;
}

/** After the last retry: the delivery is dead (kept, with its last error, for the admin to see). */
export async function markDeliveryDead(db: Database, organizationId: string, deliveryId: string) {
  await db
    .update(webhookDeliveries)
    .set({ status: "dead" })
    .where(scopedTo(organizationId, webhookDeliveries, eq(webhookDeliveries.id, deliveryId)));
}
