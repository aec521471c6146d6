import { decodeInvalidationMessage, type Invalidation } from "./invalidation";
import type { OutageReporter } from "./outage";
import { closeRedisConnection, openRedisConnection } from "./redis-connection";

export type SubscriberOptions = {
  url: string;
  channel: string;
  origin: string;
  connectTimeoutMs: number;
  outage: OutageReporter;
  onInvalidation: (invalidation: Invalidation) => void;
  /** Messages published while the subscription was down are lost for good. */
  onMessagesMissed: () => void;
};

/**
 * The second connection, which hears other instances' invalidations. It subscribes again on
 * every reconnect itself, because a subscription that failed at start-up is one ioredis would
 * not know to restore.
 */
export function subscribeToInvalidations(options: SubscriberOptions): { close(): Promise<void> } {
  const { channel, outage } = options;
  let closing = false;
  let lost = false;

  function markDown(error: unknown): void {
    if (closing) return;
    lost = true;
    outage.reportDown("subscriber", error);
  }

  const client = openRedisConnection(options.url, { connectTimeoutMs: options.connectTimeoutMs, onError: markDown });
  client.on("close", () => markDown(new Error("subscriber connection closed")));
  client.on("ready", () => {
    client.subscribe(channel).then(() => {
      if (closing) return;
      if (lost) options.onMessagesMissed();
      lost = false;
      outage.reportUp("subscriber");
    }, markDown);
  });
  client.on("message", (receivedOn: string, raw: string) => {
    if (receivedOn !== channel) return;
    const message = decodeInvalidationMessage(raw);
    // The sender already applied its own invalidation before publishing it.
    if (!message || message.origin === options.origin) return;
    options.onInvalidation(message.invalidation);
  });

  return {
    async close() {
      closing = true;
      await closeRedisConnection(client, 500);
    },
  };
}
