import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import { createDelayLine, startDelayProxy, type DelayProxy } from "./proxy";

const DELAY = 250;

/** An upstream that answers every chunk it gets with the same bytes, like a request/response protocol. */
async function startEcho(): Promise<Server> {
  const server = createServer((socket) => socket.on("data", (chunk) => socket.write(chunk)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

async function open(port: number): Promise<Socket> {
  const socket = connect({ host: "127.0.0.1", port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  return socket;
}

/** Milliseconds from writing `text` to reading it back in full. */
async function roundTrip(socket: Socket, text: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let got = "";
    const onData = (chunk: Buffer) => {
      got += chunk.toString();
      if (got.length >= text.length) {
        socket.off("data", onData);
        resolve();
      }
    };
    socket.on("data", onData);
    socket.write(text);
  });
  return performance.now() - started;
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function setUp(delayMs: number): Promise<{ proxy: DelayProxy; socket: Socket }> {
  const echo = await startEcho();
  const proxy = await startDelayProxy({ upstreamHost: "127.0.0.1", upstreamPort: portOf(echo), delayMs });
  const socket = await open(proxy.port);
  cleanups.push(() => new Promise<void>((resolve) => echo.close(() => resolve())), () => proxy.close(), () => void socket.destroy());
  return { proxy, socket };
}

describe("startDelayProxy", () => {
  // The delays are long enough that a busy shared machine's scheduling (tens of ms) cannot pass for
  // them: "once" is told from "twice" with a whole delay of slack, "nothing" from a delay likewise.
  it("adds the delay once per round trip", async () => {
    const { socket } = await setUp(DELAY);
    const times = [];
    for (let i = 0; i < 3; i++) times.push(await roundTrip(socket, `ping ${i}`));
    for (const ms of times) {
      expect(ms).toBeGreaterThanOrEqual(DELAY - 1);
      expect(ms).toBeLessThan(2 * DELAY);
    }
  });

  it("adds nothing at delay 0", async () => {
    const { socket } = await setUp(0);
    await roundTrip(socket, "warm");
    expect(await roundTrip(socket, "ping")).toBeLessThan(DELAY);
  });

  it("changes the delay live, on the open connection", async () => {
    const { proxy, socket } = await setUp(0);
    expect(await roundTrip(socket, "fast")).toBeLessThan(DELAY);
    proxy.setDelay(DELAY);
    expect(await roundTrip(socket, "slow")).toBeGreaterThanOrEqual(DELAY - 1);
    proxy.setDelay(0);
    expect(await roundTrip(socket, "fast again")).toBeLessThan(DELAY);
  });

  it("keeps the bytes in order under many small writes", async () => {
    const { socket } = await setUp(5);
    const sent = Array.from({ length: 2000 }, (_, i) => `${i};`).join("");
    let got = "";
    const done = new Promise<void>((resolve) =>
      socket.on("data", (chunk) => {
        got += chunk.toString();
        if (got.length >= sent.length) resolve();
      }),
    );
    for (let i = 0; i < 2000; i++) socket.write(`${i};`);
    await done;
    expect(got).toBe(sent);
  });

  it("refuses a negative delay", async () => {
    const { proxy } = await setUp(0);
    expect(() => proxy.setDelay(-1)).toThrow(RangeError);
  });
});

describe("createDelayLine", () => {
  it("never releases a chunk before an earlier one when the delay shrinks", async () => {
    const released: string[] = [];
    const line = createDelayLine((chunk) => released.push(chunk.toString()));
    line.push(Buffer.from("a"), 50);
    line.push(Buffer.from("b"), 0);
    line.push(Buffer.from("c"), 10);
    expect(released).toEqual([]);
    await new Promise<void>((resolve) => line.onDrained(resolve));
    expect(released).toEqual(["a", "b", "c"]);
  });
});
