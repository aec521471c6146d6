import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** The fetch signature the OpenAI SDK accepts as its `fetch` option. */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A fetch over node:http(s) with kept-alive connections, for the OpenAI SDK.
 *
 * Why not the global fetch: profiled under load, undici's fetch and the
 * web streams under it cost the server more CPU than everything else the
 * model call does (its request and response objects, a body stream with
 * several promise hops per chunk). This one makes one plain request and
 * hands the SDK a real Response whose body stream is fed by the socket's
 * reads, one chunk per read; or a reader takes the body's chunks straight
 * from the socket (takeBody) and no web stream is read at all.
 *
 * It serves what the SDK sends (a string or byte body) and hands anything
 * else (a stream, a form) to the global fetch. No redirects are followed and
 * no compression is asked for; OpenAI-compatible APIs need neither.
 */
export function createHttpFetch(): Fetch {
  const agents = { "http:": new HttpAgent({ keepAlive: true }), "https:": new HttpsAgent({ keepAlive: true }) };
  return (input, init = {}) => {
    const url = input instanceof Request ? new URL(input.url) : new URL(input);
    const body = init.body;
    const sendable = body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array;
    if (input instanceof Request || !sendable || (url.protocol !== "http:" && url.protocol !== "https:")) return fetch(input, init);
    return send(url, init, body ?? undefined, url.protocol === "https:" ? agents["https:"] : agents["http:"]);
  };
}

function send(url: URL, init: RequestInit, body: string | Uint8Array | undefined, agent: HttpAgent): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const headers = toHeaderRecord(init.headers);
    if (body !== undefined) headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, { method: init.method ?? "GET", headers, agent });
    let incoming: IncomingMessage | undefined;
    // Until the body has been read to its end, an abort closes the connection (and fails the body's read with
    // the abort); after it, the connection goes back to the pool.
    const onAbort = () => {
      const error = abortError(signal);
      incoming?.destroy(error);
      request.destroy(error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const release = () => signal?.removeEventListener("abort", onAbort);
    request.on("error", (error) => {
      release();
      reject(error);
    });
    request.once("response", (response) => {
      incoming = response;
      incoming.once("end", release).once("close", release);
      const status = incoming.statusCode ?? 500;
      const init = { status, statusText: incoming.statusMessage, headers: toHeaders(incoming.rawHeaders) };
      if (NULL_BODY_STATUSES.has(status)) {
        incoming.resume();
        return resolve(new Response(null, init));
      }
      const body = { chunks: chunksOf(incoming), taken: false };
      const answer: Response = new Response(webStreamOf(body, () => answer), init);
      untouched.set(answer, body);
      resolve(answer);
    });
    request.end(body);
  });
}

/**
 * A response body as it comes off the socket: the chunks that arrived and
 * were not taken yet. The socket is paused while chunks wait for a reader
 * that is not waiting, and resumed when it comes for more.
 */
export type BodyChunks = {
  /** The chunks since the last take ([] when none came yet); null once the body has ended. Throws how it failed. */
  take(): Buffer[] | null;
  /** Resolves when there is something to take (chunks, the end or a failure). */
  arrival(): Promise<void>;
  /** The rest is not wanted: closes the connection. */
  cancel(): void;
};

/** Bodies of this fetch's responses that no web stream reader has started on (see takeBody). */
const untouched = new WeakMap<Response, { chunks: BodyChunks; taken: boolean }>();

/**
 * The body of a response this fetch made, to read as chunks instead of as
 * its web stream (which then fails if read); null for any other response or
 * one whose web stream was read already. Why: a web stream costs every chunk
 * a queue and a few promises, and a model's reply is hundreds of chunks.
 */
export function takeBody(response: Response): BodyChunks | null {
  const body = untouched.get(response);
  if (!body) return null;
  untouched.delete(response);
  body.taken = true;
  return body.chunks;
}

function chunksOf(incoming: IncomingMessage): BodyChunks {
  let chunks: Buffer[] = [];
  let ended = false;
  let failure: Error | null = null;
  let paused = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  incoming.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    if (wake) return notify();
    if (paused) return;
    incoming.pause();
    paused = true;
  });
  incoming.once("end", () => {
    ended = true;
    notify();
  });
  // A connection cut mid-body ends it with an error, never quietly.
  const fail = (error: Error) => {
    if (ended) return;
    failure ??= error;
    notify();
  };
  incoming.on("error", fail);
  incoming.once("close", () => fail(incoming.errored ?? new Error("terminated")));
  return {
    take() {
      if (failure) throw failure;
      if (chunks.length === 0) return ended ? null : chunks;
      const taken = chunks;
      chunks = [];
      return taken;
    },
    arrival() {
      if (failure || ended || chunks.length > 0) return Promise.resolve();
      // Only a paused socket is resumed: resume() on a flowing one still costs a tick and a read call.
      if (paused) {
        paused = false;
        incoming.resume();
      }
      return new Promise<void>((resolve) => (wake = resolve));
    },
    cancel() {
      incoming.destroy();
    },
  };
}

/** The body as the web stream a Response carries: read only when nobody took its chunks. */
function webStreamOf(body: { chunks: BodyChunks; taken: boolean }, response: () => Response): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        untouched.delete(response());
        if (body.taken) throw new TypeError("the body was taken to be read as chunks");
        for (;;) {
          const chunks = body.chunks.take();
          if (chunks === null) return controller.close();
          if (chunks.length === 0) {
            await body.chunks.arrival();
            continue;
          }
          for (const chunk of chunks) controller.enqueue(chunk); // a Buffer is a Uint8Array
          return;
        }
      },
      cancel() {
        body.chunks.cancel();
      },
    },
    // Pulled only when read: chunks wait in BodyChunks, not in the stream's queue.
    { highWaterMark: 0 },
  );
}

function toHeaderRecord(init: RequestInit["headers"]): Record<string, string> {
  const record: Record<string, string> = {};
  if (!init) return record;
  const entries = init instanceof Headers ? init : new Headers(init);
  for (const [name, value] of entries) record[name] = value;
  return record;
}

function toHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error && reason.name === "AbortError" ? reason : new DOMException("This operation was aborted", "AbortError");
}
