/**
 * A streamed procedure's answer (chat.send's events) written as tRPC's batch
 * stream, the JSON Lines that httpBatchStreamLink reads, straight onto the
 * socket. tRPC still runs the call: the router finds the procedure, its
 * middleware and input parsers run, and every error is shaped by the
 * router's errorFormatter. Only the encoding of the answer is done here.
 *
 * Why: resolveResponse encodes a stream through a chain of web streams and
 * async generators (a ReadableStream, two TransformStreams, a
 * TextEncoderStream and a ReadableStream more, several promise hops a line).
 * Measured in isolation, a five-event call cost the server ~2.4 ms that way
 * and ~0.5 ms written here; on a 2-core server that is most of what a
 * message may cost. The lines are the ones tRPC's own producer writes for a
 * batch of one call whose result is an async iterable (trpc-stream.test.ts
 * decodes them with tRPC's own consumer and compares them with its producer).
 */
import type { ServerResponse } from "node:http";

import type { AnyTRPCRouter, inferRouterContext } from "@trpc/server";
import { createCallerFactory, getErrorShape, getTRPCErrorFromUnknown, isAsyncIterable } from "@trpc/server/unstable-core-do-not-import";

// The wire's numbers (tRPC's jsonl.ts): a value's kind, and how a promise or an iterable ended.
const PROMISE = 0;
const ASYNC_ITERABLE = 1;
const FULFILLED = 0;
const ITERABLE_RETURN = 0;
const ITERABLE_YIELD = 1;
const ITERABLE_ERROR = 2;

/** Chunk ids: the call's promise, its `result` promise, the promise in `result.data`, the iterable it holds. */
const CALL = 0;
const RESULT = 1;
const DATA = 2;
const ITERABLE = 3;

export type StreamedCall<TRouter extends AnyTRPCRouter> = {
  /** The procedure's path, e.g. "chat.send". */
  path: string;
  /** The call's raw input (the batch body's "0"). */
  input: unknown;
  ctx: inferRouterContext<TRouter>;
  /** Aborts when the client goes away: the procedure's signal, and the end of reading its iterable. */
  signal: AbortSignal;
};

/** Answers one batched, streamed mutation of `router` on `res`; the promise settles when the answer has ended. */
export function createStreamedCallWriter<TRouter extends AnyTRPCRouter>(router: TRouter) {
  const config = router._def._config;
  const createCaller = createCallerFactory()(router);
  const serialize = (line: unknown) => `${JSON.stringify(config.transformer.output.serialize(line))}\n`;

  return async (res: ServerResponse, { path, input, ctx, signal }: StreamedCall<TRouter>): Promise<void> => {
    const shapeOf = (cause: unknown) => getErrorShape({ config, error: getTRPCErrorFromUnknown(cause), type: "mutation", path, input, ctx });
    res.writeHead(200, { "content-type": config.jsonl?.contentType ?? "application/json", "transfer-encoding": "chunked" });
    // The head: call 0 is a promise, answered by chunk 0.
    res.write(serialize({ 0: [[0], [null, PROMISE, CALL]] }));

    let result: unknown;
    try {
      const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], createCaller(ctx, { signal }));
      result = await (procedure as (input: unknown) => Promise<unknown>)(input === undefined ? undefined : config.transformer.input.deserialize(input));
    } catch (cause) {
      res.end(serialize([CALL, FULFILLED, encode({ error: shapeOf(cause) })]));
      return;
    }
    // As resolveResponse answers a call: { result: Promise<{ data: Promise<value> }> }, each promise a chunk of its own.
    res.write(serialize([CALL, FULFILLED, [[{ result: 0 }], ["result", PROMISE, RESULT]]]));
    res.write(serialize([RESULT, FULFILLED, [[{ data: 0 }], ["data", PROMISE, DATA]]]));
    if (!isAsyncIterable(result)) {
      res.end(serialize([DATA, FULFILLED, encode(result)]));
      return;
    }
    res.write(serialize([DATA, FULFILLED, [[0], [null, ASYNC_ITERABLE, ITERABLE]]]));

    const iterator = result[Symbol.asyncIterator]();
    let last: string | undefined;
    try {
      for (;;) {
        const next = await iterator.next();
        if (signal.aborted) break;
        if (next.done) {
          last = serialize([ITERABLE, ITERABLE_RETURN, encode(next.value)]);
          break;
        }
        if (!res.write(serialize([ITERABLE, ITERABLE_YIELD, encode(next.value)]))) await drained(res);
      }
    } catch (cause) {
      last = serialize([ITERABLE, ITERABLE_ERROR, shapeOf(cause)]);
    } finally {
      // Stopped early (the client left): the iterable's own cleanup runs.
      if (signal.aborted) await iterator.return?.().catch(() => undefined);
    }
    res.end(last);
  };
}

/**
 * A value as tRPC's producer encodes one that holds nothing asynchronous:
 * `[[value]]`, and `[[]]` for undefined. (The events streamed here are plain
 * data; a promise or iterable inside one would be sent as `{}`.)
 */
function encode(value: unknown): unknown[] {
  return value === undefined ? [[]] : [[value]];
}

/** Resolves when the response can take more (or has closed). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done).off("close", done);
      resolve();
    };
    res.once("drain", done).once("close", done);
  });
}
