import { TRPCError } from "@trpc/server";

import { TenantScopeError } from "@leadline/db/tenant";

type DomainErrorCode = "NOT_FOUND" | "FORBIDDEN" | "UNAUTHORIZED" | "BAD_REQUEST" | "CONFLICT" | "TOO_MANY_REQUESTS" | "SERVICE_UNAVAILABLE";

/**
 * What handlers throw: plain functions know nothing of tRPC. The one mapping
 * to TRPCError is toTRPCError below, used by the bootstrap's middleware.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
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
