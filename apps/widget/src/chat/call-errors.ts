/**
 * Turns a failed tRPC call into what the visitor sees. The server formats its
 * errors (5xx details never reach us); input validation failures carry the
 * field's message in `data.issues`.
 */
import { TRPCClientError } from "@trpc/client";

export type CallFailure = {
  /** The tRPC error code, or "NETWORK" when the server was not reached at all. */
  code: string;
  message: string;
  /**
   * Why the server refused before doing anything, when it says: "rate_limited"
   * (with the seconds to wait), or "budget_exhausted" / "session_cap" (the
   * assistant cannot answer; the contact form can still take the lead).
   */
  refusal?: { reason: string; retryAfterSeconds?: number };
};

const NETWORK_MESSAGE = "Could not reach the chat service. Check your connection and try again.";
const GENERIC_MESSAGE = "Something went wrong. Please try again.";

export function describeFailure(error: unknown): CallFailure {
  if (!(error instanceof TRPCClientError)) return { code: "NETWORK", message: NETWORK_MESSAGE };
  const data = readData(error.data);
  if (!data.code) return { code: "NETWORK", message: NETWORK_MESSAGE };
  if (data.code === "BAD_REQUEST") return { code: data.code, message: data.issueMessage ?? error.message };
  if (data.code === "INTERNAL_SERVER_ERROR") return { code: data.code, message: GENERIC_MESSAGE };
  const failure: CallFailure = { code: data.code, message: error.message || GENERIC_MESSAGE };
  return data.refusal ? { ...failure, refusal: data.refusal } : failure;
}

/** The assistant cannot answer this session now: offer the contact form instead of a retry. */
export function offersContactForm(failure: CallFailure): boolean {
  return failure.refusal?.reason === "budget_exhausted" || failure.refusal?.reason === "session_cap";
}

/** The session token is unknown, expired or its session is gone: start a new one. */
export function isSessionLost(failure: CallFailure): boolean {
  return failure.code === "UNAUTHORIZED" || failure.code === "NOT_FOUND";
}

function readData(data: unknown): { code: string | null; issueMessage: string | null; refusal: CallFailure["refusal"] | null } {
  if (typeof data !== "object" || data === null) return { code: null, issueMessage: null, refusal: null };
  const { code, issues, refusal } = data as { code?: unknown; issues?: unknown; refusal?: unknown };
  const first: unknown = Array.isArray(issues) ? issues[0] : undefined;
  const issueMessage = typeof first === "object" && first !== null && typeof (first as { message?: unknown }).message === "string" ? (first as { message: string }).message : null;
  return { code: typeof code === "string" ? code : null, issueMessage, refusal: readRefusal(refusal) };
}

function readRefusal(value: unknown): CallFailure["refusal"] | null {
  if (typeof value !== "object" || value === null) return null;
  const { reason, retryAfterSeconds } = value as { reason?: unknown; retryAfterSeconds?: unknown };
  if (typeof reason !== "string") return null;
  return typeof retryAfterSeconds === "number" && retryAfterSeconds > 0 ? { reason, retryAfterSeconds } : { reason };
}
