import type { Reservation } from "./budget";

/** Sends admitted by the HTTP layer, by request: the procedure's context takes the reservation from here. */
const admitted = new WeakMap<object, Reservation | null>();

export function rememberAdmittedSend(req: object, reservation: Reservation | null): void {
  admitted.set(req, reservation);
}

/** The budget reservation made for this request's chat.send before tRPC ran, or undefined when none was made. */
export function admittedSendOf(req: object): Reservation | null | undefined {
  return admitted.get(req);
}
