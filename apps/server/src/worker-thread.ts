import { Worker } from "node:worker_threads";

import type { Env } from "./env";
import type { UnleashTarget } from "./flags";
import type { LlmTarget } from "./llm";
import type { AppLogger } from "./logger";

/** What the worker thread needs to start its half of the server: plain data, copied into the thread. */
export type WorkerThreadData = {
  env: Env;
  options: { databaseUrl: string; sessionSecret: string; llm: LlmTarget; unleash: UnleashTarget | null };
  /** Readable log lines, as in the main thread (a thread's own stdout is never a terminal). */
  pretty: boolean;
};

export type WorkerThread = {
  /** Wakes the thread's worker of one queue: jobs were just sent to it. */
  notify(queue: string): void;
  /** Ends the thread abruptly, as a crash would; it is started again. */
  terminate(): Promise<void>;
  stop(): Promise<void>;
};

const RESTART_DELAY_MS = 1_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * ROLE=all as two event loops in one process. The background worker (the
 * queue's jobs, the rollout guard, the alert evaluator, the daily reports)
 * runs as ROLE=worker in a worker thread; this thread serves requests. A
 * visitor's stream then never waits behind a background job's CPU, and the
 * second loop can use a second core. A thread that dies is started again;
 * jobs it held are retried by the queue.
 */
export async function startWorkerThread(data: WorkerThreadData, log: AppLogger): Promise<WorkerThread> {
  let thread: Worker | null = null;
  let stopping = false;

  const start = () =>
    new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(new URL("./worker-thread-entry.mjs", import.meta.url), { workerData: { ...data, env: { ...data.env, ROLE: "worker" } } });
      let ready = false;
      worker.on("message", (message) => {
        if (message !== "ready") return;
        ready = true;
        resolve(worker);
      });
      worker.on("error", (error) => {
        if (!ready) reject(error);
        else log.error({ err: error }, "the worker thread failed");
      });
      worker.on("exit", (code) => {
        if (!ready) reject(new Error(`the worker thread exited (code ${code}) before it was ready`));
        else if (!stopping) {
          log.error({ code }, "the worker thread stopped; starting it again");
          thread = null;
          restart(RESTART_DELAY_MS);
        }
      });
    });
  /** Tries again, waiting twice as long after each failure (the database may be down), up to a minute. */
  const restart = (delayMs: number) => {
    setTimeout(() => {
      if (stopping) return;
      start().then(
        (w) => {
          if (stopping) w.postMessage("stop");
          else thread = w;
        },
        (error: unknown) => {
          log.error({ err: error, retryInMs: Math.min(delayMs * 2, 60_000) }, "the worker thread did not start again");
          restart(Math.min(delayMs * 2, 60_000));
        },
      );
    }, delayMs).unref();
  };

  thread = await start();
  return {
    notify: (queue) => thread?.postMessage({ wake: queue }),
    async terminate() {
      await thread?.terminate();
    },
    async stop() {
      stopping = true;
      const current = thread;
      if (!current) return;
      const exited = new Promise<void>((resolve) => current.once("exit", () => resolve()));
      current.postMessage("stop");
      const timer = setTimeout(() => void current.terminate(), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
