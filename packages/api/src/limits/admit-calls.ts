import type { ServerResponse } from "node:http";

import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { sendInput } from "@leadline/validators/chat";

import { verifySessionToken } from "../chat/session-token";
import type { Context } from "../context";
import { refusalOf, toTRPCError } from "../errors";
import { admitSend } from "./admission";

/**
 * Admits a chat.send request (POST /trpc/chat.send?batch=1, its body already
 * read) before tRPC sees it. tRPC answers a streamed call with a 200 decided
 * before any procedure can refuse, so a refusal must be the whole response
 * here: a real 429 with Retry-After, or the budget's 402, shaped as tRPC's
 * error so the widget's client reads it. An admitted send leaves its
 * reservation and its checked token on the request's context, which tRPC
 * then uses (chat/send.ts, trpc.ts). A send whose input or token is bad is
 * left to tRPC, which refuses it with the reason. "answered": the response
 * was sent.
 */
export async function admitSendOverHttp(ctx: Context, body: unknown, res: ServerResponse): Promise<"admitted" | "answered"> {
  const input = sendInput.safeParse(readFirstCall(body));
  if (!input.success || input.data.text.length > ctx.config.maxMessageChars) return "admitted";
  const claims = tryVerify(input.data.sessionToken, ctx.config.sessionSecret);
  if (!claims) return "admitted";
  try {
    const reservation = await admitSend(ctx, claims, input.data.text);
    ctx.admittedSend = reservation;
    ctx.admittedVisitor = { sessionToken: input.data.sessionToken, claims };
    return "admitted";
  } catch (error) {
    const trpcError = toTRPCError(error);
    // A fault (the database down) is tRPC's to report: the procedure admits again and fails the same way, with its logging.
    if (trpcError.code === "INTERNAL_SERVER_ERROR") return "admitted";
    const refusal = refusalOf(error);
    const status = getHTTPStatusCodeFromError(trpcError);
    const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
    if (refusal?.retryAfterSeconds !== undefined) headers["retry-after"] = String(refusal.retryAfterSeconds);
    const data = { code: trpcError.code, httpStatus: status, path: "chat.send", refusal };
    res.writeHead(status, headers).end(JSON.stringify({ error: { message: trpcError.message, code: TRPC_ERROR_CODES_BY_KEY[trpcError.code], data } }));
    return "answered";
  }
}

/** The first call's input of a batched POST body ({"0": input}), or undefined. */
function readFirstCall(body: unknown): unknown {
  if (typeof body !== "string") return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)["0"] : undefined;
  } catch {
    return undefined;
  }
}

function tryVerify(token: string, secret: string) {
  try {
    return verifySessionToken(token, secret);
  } catch {
    return null;
  }
}
