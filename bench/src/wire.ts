/**
 * Just enough of tRPC v11's JSON-lines stream format (httpBatchStreamLink,
 * `trpc-accept: application/jsonl`) to read one `chat.send`:
 *  - the first line is the head, {"0": [[data], ...chunk definitions]};
 *  - then one line per settled chunk, [chunkId, status, [[value], ...definitions]].
 * A definition [key, kind, chunkId] announces a promise (kind 0) or an async
 * iterable (kind 1). A promise chunk has status 0 (fulfilled) or 1 (rejected);
 * an iterable chunk has 0 (return), 1 (yield) or 2 (error). The send's events
 * are the yields of the iterable; a `{ error }` value is a procedure error.
 */
import type { SendEvent } from "@leadline/validators/chat";

const ITERABLE = 1;
const PROMISE_REJECTED = 1;
const ITERABLE_YIELD = 1;
const ITERABLE_ERROR = 2;

type Definition = [key: string | number | null, kind: number, chunkId: number];

export class SendStreamError extends Error {}

/** Calls `onEvent` for each event of the stream; throws SendStreamError for a procedure or stream error. */
export async function readSendStream(lines: AsyncIterable<unknown>, onEvent: (event: SendEvent) => void): Promise<void> {
  const iterables = new Set<number>();
  const learn = (encoded: unknown) => {
    if (!Array.isArray(encoded)) return;
    for (const def of encoded.slice(1) as Definition[]) if (Array.isArray(def) && def[1] === ITERABLE) iterables.add(def[2]);
  };
  let first = true;
  for await (const line of lines) {
    if (first) {
      first = false;
      if (line && typeof line === "object" && !Array.isArray(line)) {
        const head = (line as Record<string, unknown>)["0"];
        learn(head);
        checkValue(firstValue(head));
        continue;
      }
    }
    if (!Array.isArray(line) || line.length !== 3) continue;
    const [chunkId, status, payload] = line as [number, number, unknown];
    const isIterable = iterables.has(chunkId);
    if ((isIterable && status === ITERABLE_ERROR) || (!isIterable && status === PROMISE_REJECTED)) {
      throw new SendStreamError(`stream error: ${describe(payload)}`);
    }
    learn(payload);
    const value = firstValue(payload);
    checkValue(value);
    if (isIterable && status === ITERABLE_YIELD && isEvent(value)) onEvent(value);
  }
}

function firstValue(encoded: unknown): unknown {
  return Array.isArray(encoded) && Array.isArray(encoded[0]) ? encoded[0][0] : undefined;
}

function checkValue(value: unknown) {
  if (value && typeof value === "object" && "error" in value) {
    throw new SendStreamError(describe((value as { error: unknown }).error));
  }
}

function isEvent(value: unknown): value is SendEvent {
  return !!value && typeof value === "object" && typeof (value as { type?: unknown }).type === "string";
}

function describe(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { message?: unknown; data?: { code?: unknown } };
    return [e.data?.code, e.message].filter((x) => typeof x === "string").join(": ") || JSON.stringify(error);
  }
  return String(error);
}

/** Parsed JSON values, one per line of a byte stream; blank lines (tRPC's pings) are skipped. */
export async function* readJsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(bytes, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield JSON.parse(line);
    }
  }
  const rest = (buffered + decoder.decode()).trim();
  if (rest) yield JSON.parse(rest);
}
