import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";

import type { LlmErrorCode } from "./client";

export type Failure = {
  code: LlmErrorCode;
  message: string;
  /** Worth another attempt if nothing has reached the visitor yet. */
  retryable: boolean;
  /** What the server asked us to wait before retrying. */
  retryAfterMs?: number;
};

/** A retry-after longer than this is not worth making a visitor wait for. */
const MAX_RETRY_AFTER_MS = 2_000;

/** Why we aborted an attempt ourselves; takes precedence over whatever the SDK threw. */
export type Stop = { code: "timeout" | "aborted"; message: string };

export function describeFailure(error: unknown, stop: Stop | null): Failure {
  if (stop) return { ...stop, retryable: stop.code === "timeout" };
  if (error instanceof APIUserAbortError) {
    return { code: "aborted", message: "the request was aborted", retryable: false };
  }
  if (error instanceof APIConnectionTimeoutError) return { code: "timeout", message: error.message, retryable: true };
  if (error instanceof APIConnectionError) return { code: "upstream_error", message: error.message, retryable: true };
  if (error instanceof APIError && typeof error.status === "number") {
    return describeHttpFailure(error, error.status);
  }
  // Errors inside an open stream: the connection dropped ("terminated"), an SSE
  // error event, a malformed chunk. All are the upstream's fault.
  return { code: "upstream_error", message: error instanceof Error ? error.message : String(error), retryable: true };
}

function describeHttpFailure(error: APIError, status: number): Failure {
  const message = error.message;
  if (status === 429) {
    const retryAfterMs = readRetryAfter(error.headers);
    if (retryAfterMs === undefined) return { code: "rate_limited", message, retryable: true };
    return { code: "rate_limited", message, retryable: retryAfterMs <= MAX_RETRY_AFTER_MS, retryAfterMs };
  }
  if (status === 408) return { code: "timeout", message, retryable: true };
  if (status >= 500) return { code: "upstream_error", message, retryable: true };
  return { code: "bad_request", message, retryable: false };
}

/** Milliseconds from `retry-after-ms` (OpenAI's) or `retry-after` (seconds or an HTTP date). */
function readRetryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
