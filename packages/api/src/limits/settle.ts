import { computeCost } from "@leadline/pipeline/cost";
import type { AnsweredTurn } from "@leadline/pipeline/turn";

import type { Context } from "../context";
import type { Reservation } from "./budget";

/**
 * Replaces a message's budget reservation by what the model cost: its usage
 * at the model's rate, the same price the cost stage stores. `answered`
 * "none": the model was not called (a replay, a refused send), so nothing
 * was spent; undefined: the answer failed midway and its cost is unknown, so
 * the reservation stands as spent. No round trip: the spend ledger writes it
 * with others (limits/spend-ledger.ts); a failure to price it is only logged,
 * and leaves the reservation counted for its day.
 */
export async function settleReservation(ctx: Pick<Context, "spend" | "pipeline" | "log">, reservation: Reservation, answered: AnsweredTurn | "none" | undefined) {
  try {
    let actual: string | null = null;
    if (answered === "none") actual = "0";
    else if (answered) actual = computeCost(answered.usage, await ctx.pipeline.rates.rateFor(answered.model, true)).usd;
    ctx.spend.settle(reservation, actual);
  } catch (error) {
    ctx.log.warn({ err: error, siteId: reservation.siteId }, "could not settle a budget reservation; it counts as spent for its day");
  }
}
