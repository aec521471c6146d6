/**
 * Background job payloads: zod schemas shared by the producer (the chat
 * request, the outbox relay) and the worker.
 */
import { z } from "zod";

export const JOB_NAMES = {
  postProcess: "post-process",
  /** A message's background stages that wait on a model (Stage.lane "model"), after the rest are done. */
  postProcessModel: "post-process-model",
  deliverWebhook: "deliver-webhook",
  webhookDead: "deliver-webhook-dead",
} as const;

export const complexity = z.enum(["simple", "moderate", "complex"]);

export const postProcessJob = z.object({
  messageId: z.uuid(),
  organizationId: z.uuid(),
  /** The background stages of this message's plan, in order. */
  stages: z.array(z.string()).max(32),
  complexity,
  flags: z.record(z.string(), z.boolean()),
  /** Epoch ms when the reply was committed: background lag is measured from here. */
  committedAt: z.number(),
});
export type PostProcessJob = z.infer<typeof postProcessJob>;

export const deliverWebhookJob = z.object({ deliveryId: z.uuid(), organizationId: z.uuid() });
export type DeliverWebhookJob = z.infer<typeof deliverWebhookJob>;
