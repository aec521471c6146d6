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
 * reads, one chunk per read.
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
      const webBody = NULL_BODY_STATUSES.has(status) ? null : readableOf(incoming);
      if (!webBody) incoming.resume();
      resolve(new Response(webBody, { status, statusText: incoming.statusMessage, headers: toHeaders(incoming.rawHeaders) }));
    });
    request.end(body);
  });
}

/**
 * The response body as a web stream, one chunk per socket read. Reading
 * pauses the socket when a chunk is waiting unread; cancelling closes it.
 */
function readableOf(incoming: IncomingMessage): ReadableStream<Uint8Array> {
  let paused = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        controller.error(error);
      };
      incoming.on("data", (chunk: Buffer) => {
        controller.enqueue(chunk); // a Buffer is a Uint8Array
        if ((controller.desiredSize ?? 1) > 0) return;
        incoming.pause();
        paused = true;
      });
      incoming.once("end", () => {
        settled = true;
        controller.close();
      });
      // A connection cut mid-body ends the stream with an error, never quietly.
      incoming.on("error", fail);
      incoming.once("close", () => fail(incoming.errored ?? new Error("terminated")));
    },
    pull() {
      // Only a paused socket is resumed: resume() on a flowing one still costs a tick and a read call.
      if (!paused) return;
      paused = false;
      incoming.resume();
    },
    cancel() {
      incoming.destroy();
    },
  });
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
