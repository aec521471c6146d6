/**
 * Turns a failed tRPC call into what the admin sees. The server formats its
 * errors (5xx details never reach us); input validation failures carry the
 * field and its message in `data.issues`.
 */
import { TRPCClientError } from "@trpc/client";

export type Failure = {
  /** The tRPC error code, or "NETWORK" when no tRPC answer came back at all. */
  code: string;
  message: string;
};

const NETWORK_MESSAGE = "Could not reach the API. Check that it is running, then try again.";
const GENERIC_MESSAGE = "Something went wrong. Please try again.";

/** The tRPC error code of a failed call, or null when the API was not reached (or answered something else). */
export function codeOf(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null;
  const code = (error.data as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : null;
}

export function describeFailure(error: unknown): Failure {
  const code = codeOf(error);
  if (!code || !(error instanceof TRPCClientError)) return { code: "NETWORK", message: NETWORK_MESSAGE };
  if (code === "BAD_REQUEST") return { code, message: firstIssue(error.data) ?? (error.message || GENERIC_MESSAGE) };
  return { code, message: error.message || GENERIC_MESSAGE };
}

/** Only failures that another try may cure are retried: the network and the server's own trouble, twice at most. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  const code = codeOf(error);
  const transient = code === null || code === "INTERNAL_SERVER_ERROR" || code === "SERVICE_UNAVAILABLE" || code === "TIMEOUT";
  return transient && failureCount < 2;
}

export type Issue = { path: string; message: string };

/** Every field the server refused in a BAD_REQUEST, as `data.issues` carries them (a path like "changes.rateLimits.messagesPerSession"); none for any other failure. */
export function issuesOf(error: unknown): Issue[] {
  if (codeOf(error) !== "BAD_REQUEST") return [];
  const issues = ((error as TRPCClientError<never>).data as { issues?: unknown } | null | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((issue: unknown) => {
    const { path, message } = (issue ?? {}) as { path?: unknown; message?: unknown };
    return typeof path === "string" && typeof message === "string" && message ? [{ path, message }] : [];
  });
}

/** "email" + "must be an email address" reads "Email must be an email address"; a full sentence stays as it is. */
function firstIssue(data: unknown): string | null {
  const issues = (data as { issues?: unknown } | null | undefined)?.issues;
  const first: unknown = Array.isArray(issues) ? issues[0] : undefined;
  if (typeof first !== "object" || first === null) return null;
  const { path, message } = first as { path?: unknown; message?: unknown };
  if (typeof message !== "string" || !message) return null;
  const startsLower = message[0] === message[0]!.toLowerCase() && message[0] !== message[0]!.toUpperCase();
  if (typeof path === "string" && path && startsLower) return `${path[0]!.toUpperCase()}${path.slice(1)} ${message}`;
  return message;
}
