/**
 * A TCP proxy that adds database round-trip latency: bytes from the client
 * go to the upstream at once, bytes coming back are held for `delayMs`, in
 * order. One delayed direction adds the delay once per round trip, which is
 * what a remote database does to a request/response protocol.
 */
import { createServer, connect, type AddressInfo, type Socket } from "node:net";

export type DelayProxy = {
  port: number;
  /** Changes the delay for bytes that arrive from now on (already-held bytes keep theirs). */
  setDelay(ms: number): void;
  delay(): number;
  /** Stops listening and cuts every open connection. */
  close(): Promise<void>;
};

export type DelayProxyOptions = { upstreamHost: string; upstreamPort: number; delayMs: number; port?: number; host?: string };

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  let delayMs = checkDelay(options.delayMs);
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const upstream = connect({ host: options.upstreamHost, port: options.upstreamPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const held = createDelayLine((chunk) => {
      if (!client.write(chunk)) upstream.pause();
    });
    client.on("drain", () => upstream.resume());
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once("close", () => {
      sockets.delete(client);
      upstream.end();
    });
    upstream.once("close", () => {
      sockets.delete(upstream);
      // Whatever is still held must reach the client before its side closes.
      held.onDrained(() => client.end());
    });
    client.on("error", cut);
    upstream.on("error", cut);

    client.on("data", (chunk) => {
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on("drain", () => client.resume());

    upstream.on("data", (chunk: Buffer) => held.push(chunk, delayMs));
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });

  return {
    port,
    setDelay(ms) {
      delayMs = checkDelay(ms);
    },
    delay: () => delayMs,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function checkDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`delay must be a non-negative number of ms, got ${ms}`);
  return ms;
}

/**
 * Chunks released `delay` ms after they were pushed, never out of order: when
 * the delay shrinks, a chunk waits for the ones before it.
 */
export function createDelayLine(release: (chunk: Buffer) => void) {
  const queue: { at: number; chunk: Buffer }[] = [];
  let head = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastAt = 0;
  let drainedWaiters: (() => void)[] = [];

  function flush() {
    timer = undefined;
    const now = performance.now();
    while (head < queue.length && (queue[head] as { at: number }).at <= now + 0.5) {
      release((queue[head] as { chunk: Buffer }).chunk);
      head += 1;
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
      const waiters = drainedWaiters;
      drainedWaiters = [];
      for (const waiter of waiters) waiter();
    } else {
      schedule((queue[head] as { at: number }).at - now);
    }
  }

  function schedule(inMs: number) {
    timer ??= setTimeout(flush, Math.max(0, inMs));
  }

  return {
    push(chunk: Buffer, delay: number) {
      const now = performance.now();
      const at = Math.max(now + delay, lastAt);
      lastAt = at;
      if (delay === 0 && head === queue.length) {
        release(chunk); // nothing held: no timer hop for the no-latency point
        return;
      }
      queue.push({ at, chunk });
      schedule(at - now);
    },
    pending: () => queue.length - head,
    onDrained(callback: () => void) {
      if (head === queue.length) callback();
      else drainedWaiters.push(callback);
    },
  };
}
