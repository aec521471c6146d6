/**
 * What the HTTP layer refuses before tRPC sees a request: methods tRPC does
 * not serve, oversized batches and bodies, and a streamed procedure called
 * without a stream. Each refusal is a tRPC-shaped error with a 4xx, so a tRPC
 * client shows its message, and it comes before any context is made, input
 * parsed, row stored or model called.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";

/** The largest body read. The longest input (a 100,000-character message) is well under it. */
export const MAX_BODY_BYTES = 1_000_000;

/**
 * The most calls one batched request may carry. Each call costs like a
 * request of its own, so a batch is otherwise a way around every per-request
 * limit (100 chat.startSession calls made 100 sessions). The apps' batch
 * links send at most this many.
 */
export const MAX_BATCH_CALLS = 20;

/** OPTIONS is answered by the CORS preflight; tRPC turns anything else but GET and POST into a 500 (TRACE) or a 204 (HEAD). */
export const ALLOWED_METHODS = "GET, POST, OPTIONS";

/**
 * Procedures that answer with a stream. tRPC decides that a plain request
 * cannot carry a stream (its 415) only after the procedure has returned: for
 * chat.send that is after the message was stored and the model called, and
 * billed. So a request for one of these must ask for a stream up front.
 */
export const STREAMED_PROCEDURES: ReadonlySet<string> = new Set(["chat.send"]);

/** Why this request to /trpc/ must not reach tRPC, or null. */
export function refuseUnservableCall(req: IncomingMessage): TRPCError | null {
  if (req.method !== "GET" && req.method !== "POST") {
    return new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: `${req.method} is not served here: use ${ALLOWED_METHODS}` });
  }
  const url = new URL(req.url ?? "/", "http://api");
  const procedures = readProcedures(url.pathname);
  if (!procedures) return null; // tRPC answers a malformed path with its own 400
  const batched = url.searchParams.get("batch") === "1";
  if (batched && procedures.length > MAX_BATCH_CALLS) {
    return new TRPCError({ code: "BAD_REQUEST", message: `A batch may hold at most ${MAX_BATCH_CALLS} calls; this one has ${procedures.length}` });
  }
  const streamed = procedures.find((p) => STREAMED_PROCEDURES.has(p));
  if (streamed && !(batched && acceptsStream(req))) {
    return new TRPCError({
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: `${streamed} answers with a stream: call it with httpBatchStreamLink (POST ?batch=1, trpc-accept: application/jsonl)`,
    });
  }
  return null;
}

/** The procedures a /trpc/ path names, read as tRPC reads them: decoded, then split on commas. */
function readProcedures(pathname: string): string[] | null {
  try {
    return decodeURIComponent(pathname.replace(/^\/trpc\/?/, "").replace(/\/$/, "")).split(",");
  } catch {
    return null;
  }
}

/** As tRPC decides it: trpc-accept wins; otherwise an Accept that lists application/jsonl. */
export function acceptsStream(req: IncomingMessage): boolean {
  const trpcAccept = req.headers["trpc-accept"];
  if (trpcAccept !== undefined) return trpcAccept === "application/jsonl";
  return (req.headers.accept ?? "").split(",").some((type) => type.trim() === "application/jsonl");
}

/**
 * Reads a POST's body, up to `limit` bytes, into `req.body`, where tRPC's
 * adapter takes it instead of reading the stream itself. "too-large" as soon
 * as the declared length or the bytes so far pass the limit (the rest is not
 * read); "gone" when the client went away first.
 */
export function readBodyWithin(req: IncomingMessage & { body?: unknown }, limit: number): Promise<"read" | "too-large" | "gone"> {
  if (req.method !== "POST") return Promise.resolve("read");
  if (Number(req.headers["content-length"] ?? 0) > limit) return Promise.resolve("too-large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: "read" | "too-large" | "gone") => {
      req.off("data", onData).off("end", onEnd).off("error", onGone).off("close", onGone);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      finish("too-large");
    };
    const onEnd = () => {
      req.body = Buffer.concat(chunks).toString("utf8");
      finish("read");
    };
    const onGone = () => finish("gone");
    req.on("data", onData).on("end", onEnd).on("error", onGone).on("close", onGone);
  });
}

export const bodyTooLarge = () => new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: `A request body may be at most ${MAX_BODY_BYTES / 1_000_000} MB` });

/**
 * Answers with the error as tRPC would have, so a tRPC client reads the
 * message. `close`: the rest of an unread body is not worth reading.
 */
export function sendTrpcError(res: ServerResponse, error: TRPCError, options: { close?: boolean } = {}) {
  const status = getHTTPStatusCodeFromError(error);
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  if (status === 405) headers.allow = ALLOWED_METHODS;
  if (options.close) headers.connection = "close";
  const body = { error: { message: error.message, code: TRPC_ERROR_CODES_BY_KEY[error.code], data: { code: error.code, httpStatus: status } } };
  res.writeHead(status, headers).end(JSON.stringify(body));
}

/** This is no proxy: a CONNECT gets a 405 and the connection is closed. */
export function refuseConnect(socket: Duplex) {
  socket.end(`HTTP/1.1 405 Method Not Allowed\r\nallow: ${ALLOWED_METHODS}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}
