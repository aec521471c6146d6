/**
 * tRPC served straight on Node's request and response: the router's own
 * resolveResponse (what every tRPC adapter calls) with a context the HTTP
 * layer made already, a body it read already, and the answer's chunks
 * written to the socket as they come.
 *
 * Why not tRPC's node adapter: profiled under load, it cost each call a
 * Fetch Request with a body stream, an abort signal it follows, and a
 * WritableStream piped from the answer, on top of what resolveResponse itself
 * does; per call that was more than the whole model call's stream reading.
 * This one keeps resolveResponse and only changes how the bytes get in and out.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import { TRPCError, type AnyTRPCRouter, type inferRouterContext } from "@trpc/server";
import { resolveResponse } from "@trpc/server/http";

import { acceptsStream, sendTrpcError } from "./trpc-guards";
import { createStreamedCallWriter, drained } from "./trpc-stream";

/** A request whose body the HTTP layer has read (see readBodyWithin). */
export type ReadRequest = IncomingMessage & { body?: unknown };

/**
 * A Fetch Request without a body stream: its text is the body already read,
 * and its signal aborts when the client goes away before the answer ended.
 * Both are own properties in front of the prototype's (what resolveResponse reads).
 */
function toRequest(url: string, method: string, headers: Headers, body: string, signal: AbortSignal): Request {
  return Object.defineProperties(new Request(url, { method, headers }), {
    signal: { value: signal },
    text: { value: () => Promise.resolve(body) },
    json: { value: () => Promise.resolve(body).then((text) => JSON.parse(text) as unknown) },
  });
}

export type TrpcHandlerOptions = {
  /** Served under this path, e.g. "/trpc/". */
  basePath: string;
  /** Procedures whose batched, streamed calls are written by trpc-stream.ts. */
  streamed: ReadonlySet<string>;
  /** Hears of an error tRPC did not answer itself. */
  onFault: (error: unknown) => void;
};

/** Serves the procedure path(s) under `basePath` with `router`, in `context` (this request's). */
export function createTrpcHandler<TRouter extends AnyTRPCRouter>(router: TRouter, { basePath, streamed, onFault }: TrpcHandlerOptions) {
  const writeStreamedCall = createStreamedCallWriter(router);
  return async (req: ReadRequest, res: ServerResponse, context: inferRouterContext<TRouter>): Promise<void> => {
    const gone = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) gone.abort();
    };
    res.once("close", onClose);
    try {
      const url = req.url ?? "/";
      const query = url.indexOf("?");
      const pathname = query < 0 ? url : url.slice(0, query);
      const streamedCall = readStreamedCall(req, trimSlash(pathname.slice(basePath.length)), query < 0 ? "" : url.slice(query + 1), streamed);
      if (streamedCall) {
        addVary(res, "trpc-accept, accept"); // as resolveResponse's answers vary
        return await writeStreamedCall(res, { ...streamedCall, ctx: context, signal: gone.signal });
      }
      let request: Request;
      try {
        request = toRequest(`http://api${url}`, req.method ?? "GET", toHeaders(req.headers), typeof req.body === "string" ? req.body : "", gone.signal);
      } catch (cause) {
        // As tRPC's own adapter answers a URL or header the Fetch API refuses.
        return sendTrpcError(res, new TRPCError({ code: "BAD_REQUEST", message: "Invalid URL or headers", cause }));
      }
      const response = await resolveResponse({
        router,
        req: request,
        path: trimSlash(pathname.slice(basePath.length)),
        createContext: () => Promise.resolve(context),
        error: null,
      });
      await writeResponse(response, res, gone.signal);
    } catch (error) {
      // resolveResponse answers every procedure's error itself: this is a fault of its own.
      onFault(error);
      if (!res.headersSent) sendTrpcError(res, new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Something went wrong on our side. Please try again." }));
      else res.end();
    } finally {
      res.off("close", onClose);
    }
  };
}

/**
 * The path and input of a call trpc-stream.ts answers: a POST batch of one
 * call to a streamed procedure, asking for a stream, with a JSON body.
 * Anything else (or a body tRPC would refuse) is left to resolveResponse.
 */
function readStreamedCall(req: ReadRequest, path: string, search: string, streamed: ReadonlySet<string>): { path: string; input: unknown } | null {
  if (req.method !== "POST" || !streamed.has(path) || !acceptsStream(req)) return null;
  if (new URLSearchParams(search).get("batch") !== "1" || typeof req.body !== "string") return null;
  if (req.headers["content-type"]?.split(";", 1)[0]?.trim().toLowerCase() !== "application/json") return null;
  try {
    const inputs = JSON.parse(req.body) as unknown;
    return typeof inputs === "object" && inputs !== null && !Array.isArray(inputs) ? { path, input: (inputs as Record<string, unknown>)["0"] } : null;
  } catch {
    return null;
  }
}

/**
 * Status, headers, then the body's chunks as the answer produces them. Chunks
 * that come in one turn of the event loop leave in one socket write (Node
 * corks the socket until the next tick).
 */
async function writeResponse(response: Response, res: ServerResponse, gone: AbortSignal) {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    // Cookies the procedures set went onto `res` directly (see context.ts); tRPC sets none of its own.
    if (name === "set-cookie") continue;
    if (name === "vary") addVary(res, value);
    else res.setHeader(name, value);
  }
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  // A client that leaves cancels the body, which tells the procedures streaming into it.
  const cancel = () => void reader.cancel().catch(() => undefined);
  gone.addEventListener("abort", cancel, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
    }
  } catch {
    // The body failed or was cancelled: the client is gone, or the stream's error line was its last.
  } finally {
    gone.removeEventListener("abort", cancel);
    res.end();
  }
}

function toHeaders(incoming: IncomingMessage["headers"]): Headers {
  const headers = new Headers();
  for (const name in incoming) {
    const value = incoming[name];
    if (typeof value === "string") headers.append(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  return headers;
}

/** One slash off each end, as tRPC's standalone adapter reads the procedure path. */
function trimSlash(path: string): string {
  const start = path.startsWith("/") ? 1 : 0;
  return path.endsWith("/") && path.length > start ? path.slice(start, -1) : path.slice(start);
}

/** Adds to the response's Vary: the CORS layer's (origin) stays beside tRPC's (trpc-accept, accept). */
function addVary(res: ServerResponse, value: string) {
  const earlier = res.getHeader("vary");
  res.setHeader("vary", earlier ? `${String(earlier)}, ${value}` : value);
}
