/**
 * The delay proxy as a process of its own, so its timers do not share an
 * event loop with the load generator. Started with an IPC channel: it sends
 * { port } once listening and takes { delayMs } messages to change the delay.
 * Usage: proxy-main.ts <upstreamPort> <delayMs>
 */
import { startDelayProxy } from "./proxy";

const [upstreamPort, delayMs] = process.argv.slice(2).map(Number);
if (!process.send || !Number.isInteger(upstreamPort) || !Number.isFinite(delayMs)) {
  console.error("usage (with an IPC channel): proxy-main.ts <upstreamPort> <delayMs>");
  process.exit(2);
}

const proxy = await startDelayProxy({ upstreamHost: "127.0.0.1", upstreamPort: upstreamPort as number, delayMs: delayMs as number });
process.on("message", (message: { delayMs?: unknown }) => {
  if (typeof message.delayMs === "number") proxy.setDelay(message.delayMs);
  process.send?.({ delayMs: proxy.delay() });
});
// The parent going away closes the channel: stop with it.
process.on("disconnect", () => void proxy.close().then(() => process.exit(0)));
process.send({ port: proxy.port });
