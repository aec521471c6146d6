import { TRPCError } from "@trpc/server";

import { TenantScopeError } from "@leadline/db/tenant";

type DomainErrorCode = "NOT_FOUND" | "FORBIDDEN" | "UNAUTHORIZED" | "BAD_REQUEST" | "CONFLICT" | "TOO_MANY_REQUESTS" | "PAYMENT_REQUIRED" | "SERVICE_UNAVAILABLE";

/** Why a request was refused, for a client that acts on it (the widget offers the contact form on "budget_exhausted"). */
export type RefusalReason = "rate_limited" | "session_cap" | "budget_exhausted";

/**
 * What handlers throw: plain functions know nothing of tRPC. The one mapping
 * to TRPCError is toTRPCError below, used by the bootstrap's middleware.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly refusal?: { reason: RefusalReason; retryAfterSeconds?: number },
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** The reason and wait of a refusal, for the error's data; undefined for other errors. */
export function refusalOf(error: unknown): DomainError["refusal"] {
  return error instanceof DomainError ? error.refusal : undefined;
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);
export const forbidden = (why: string) => new DomainError("FORBIDDEN", why);
export const unauthorized = (why: string) => new DomainError("UNAUTHORIZED", why);
export const badRequest = (why: string) => new DomainError("BAD_REQUEST", why);

export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  if (error instanceof DomainError) return new TRPCError({ code: error.code, message: error.message, cause: error });
  // A tenant-scope refusal is a bug in our code, not the caller's: a 500 whose details stay here.
  if (error instanceof TenantScopeError) return new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error instanceof Error ? error : new Error(String(error)) });
}
