import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import type { CacheLog } from "./options";

export type LogLine = { obj: object; msg?: string };

export function createRecordingLog() {
  const warnings: LogLine[] = [];
  const infos: LogLine[] = [];
  const log: CacheLog = {
    warn: (obj, msg) => void warnings.push({ obj, msg }),
    info: (obj, msg) => void infos.push({ obj, msg }),
  };
  return { log, warnings, infos };
}

export function createRandomPrefix(): string {
  return `test-cache-${randomUUID().slice(0, 8)}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until check returns something truthy; throws with what it last saw after timeoutMs. */
export async function pollUntil<T>(check: () => Promise<T> | T, { timeoutMs = 5_000, intervalMs = 25 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await check();
    if (last) return last;
    await sleep(intervalMs);
  } while (Date.now() < deadline);
  throw new Error(`condition not met within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

/** A port nothing listens on: bound once by us, then released. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A private redis-server the test may kill; the machine's shared one must never be stopped. */
export async function startRedisServer(port: number): Promise<{ kill(): Promise<void> }> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { kill: () => killChild(child) };
}

function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** Counts calls and hands out whatever the test says the source currently holds. */
export function createSource<T>(initial: T | undefined, delayMs = 0) {
  const source = { value: initial, calls: 0 };
  const load = async (): Promise<T | undefined> => {
    source.calls += 1;
    if (delayMs > 0) await sleep(delayMs);
    return source.value;
  };
  return Object.assign(source, { load });
}

/**
 * A TCP hop in front of a Redis that can be cut and restored: the cache loses Redis while Redis
 * itself keeps its data, which killing the server cannot show.
 */
export async function startProxy(targetPort: number) {
  const port = await findFreePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  function forward(client: Socket): void {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => socket.destroy());
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }

  async function restore(): Promise<void> {
    const listening = createServer(forward);
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      listening.listen(port, "127.0.0.1", resolve);
    });
    server = listening;
  }

  async function cut(): Promise<void> {
    const closing = server;
    server = undefined;
    if (!closing) return;
    const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  await restore();
  return { port, cut, restore };
}
