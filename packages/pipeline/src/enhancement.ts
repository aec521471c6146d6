import { EventEmitter } from "node:events";

import type { Sql } from "@leadline/db/client";

import { BACKGROUND_DONE_CHANNEL } from "./completion";

/**
 * Tells a waiting chat stream that its message's background work is done,
 * whichever process's worker did it (Postgres LISTEN on one connection).
 */
export async function listenForBackgroundDone(sql: Sql) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const subscription = await sql.listen(BACKGROUND_DONE_CHANNEL, (messageId) => emitter.emit(messageId));
  return {
    /** Resolves true when the message's background work finishes within ms, else false. */
    waitFor(messageId: string, ms: number, signal?: AbortSignal): Promise<boolean> {
      return new Promise((resolve) => {
        const finish = (done: boolean) => {
          clearTimeout(timer);
          emitter.off(messageId, onDone);
          signal?.removeEventListener("abort", onAbort);
          resolve(done);
        };
        const onDone = () => finish(true);
        const onAbort = () => finish(false);
        const timer = setTimeout(() => finish(false), ms);
        emitter.on(messageId, onDone);
        signal?.addEventListener("abort", onAbort);
      });
    },
    stop: () => subscription.unlisten(),
  };
}

export type BackgroundListener = Awaited<ReturnType<typeof listenForBackgroundDone>>;
