import { Redis } from "ioredis";

export type ConnectionOptions = {
  connectTimeoutMs: number;
  onError: (error: unknown) => void;
};

const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * A connection that never makes a caller wait: commands fail at once while it is down instead
 * of queueing, and it keeps reconnecting in the background for as long as the process lives.
 */
export function openRedisConnection(url: string, { connectTimeoutMs, onError }: ConnectionOptions): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Commands that were cut off already answered their caller with a timeout; replaying them
    // after a reconnect could write a value that was invalidated meanwhile.
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    connectTimeout: connectTimeoutMs,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 100),
  });
  // Without a listener ioredis prints every failed reconnect with its stack.
  client.on("error", onError);
  // The reason arrives through the error event; the rejection only repeats it.
  client.connect().catch(() => undefined);
  return client;
}

/** Quits politely when connected, drops the socket otherwise; never throws and never reconnects. */
export async function closeRedisConnection(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === "ready") {
    await raceTimeout(client.quit(), timeoutMs).catch(() => undefined);
  }
  // Also cancels a pending reconnect timer, which quit cannot reach during an outage.
  if (client.status !== "end") client.disconnect();
}

export class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`redis did not answer within ${ms} ms`);
    this.name = "RedisTimeoutError";
  }
}

export function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisTimeoutError(ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Settles at the first sign of how the initial connect went: ready, an error, or the connect
 * timeout. Before that a failing command means "not yet", not "down".
 */
export function watchStartup(client: Redis, connectTimeoutMs: number): { isSettled(): boolean; settled: Promise<void> } {
  let done = false;
  const settled = new Promise<void>((resolve) => {
    const settle = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      client.off("ready", settle);
      client.off("error", settle);
      resolve();
    };
    const timer = setTimeout(settle, connectTimeoutMs);
    timer.unref();
    client.once("ready", settle);
    client.once("error", settle);
  });
  return { isSettled: () => done, settled };
}
