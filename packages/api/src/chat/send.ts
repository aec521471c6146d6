import type { SendInput } from "@leadline/validators/chat";

import type { Context } from "../context";
import { admitSend } from "../limits/admission";
import { settleReservation } from "../limits/settle";
import { prepareSend } from "./prepare-send";
import type { VisitorClaims } from "./session-token";
import { streamReply } from "./stream-reply";

/**
 * chat.send: admitted (limits and budget; over HTTP this happened before the
 * response started), prepared (the user message stored, the answer claimed),
 * then streamed. A send refused after admission gives its reservation back.
 */
export async function handleSend(ctx: Context & { visitor: VisitorClaims }, input: SendInput, signal: AbortSignal | undefined) {
  const reservation = ctx.admittedSend !== undefined ? ctx.admittedSend : await admitSend(ctx, ctx.visitor, input.text);
  try {
    const plan = await prepareSend(ctx, ctx.visitor, input);
    return streamReply(ctx, plan, signal, reservation);
  } catch (error) {
    if (reservation) void settleReservation(ctx, reservation, "none");
    throw error;
  }
}
