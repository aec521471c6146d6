/**
 * The worker thread of a ROLE=all process (see worker-thread.ts): the same
 * server with ROLE=worker and no HTTP port, woken by { wake: queue } messages
 * from the request-serving thread and stopped by "stop".
 */
import { parentPort, workerData } from "node:worker_threads";

import { startServer } from "./app";
import { createLogger } from "./logger";
import type { WorkerThreadData } from "./worker-thread";

const { env, options, pretty } = workerData as WorkerThreadData;
const port = parentPort!;
const log = createLogger(env, pretty);
const server = await startServer(env, log, { ...options, listen: false });
port.on("message", (message: unknown) => {
  if (typeof message === "object" && message !== null && "wake" in message) server.pipeline.worker?.wake(String(message.wake));
  else if (message === "stop") {
    void server
      .stop()
      .catch((error: unknown) => log.warn({ err: error }, "the worker thread did not stop cleanly"))
      .finally(() => process.exit(0));
  }
});
port.postMessage("ready");
