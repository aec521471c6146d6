import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";

import { describeFailure, isSessionLost, offersContactForm } from "./call-errors";

function serverError(code: string, message: string, issues?: { path: string; message: string }[]) {
  return TRPCClientError.from({ error: { code: -32600, message, data: { code, httpStatus: 400, path: "chat.send", issues } } });
}

describe("describeFailure", () => {
  it("shows the server's own words for a refused message", () => {
    expect(describeFailure(serverError("BAD_REQUEST", "Message is too long (at most 4000 characters)"))).toEqual({
      code: "BAD_REQUEST",
      message: "Message is too long (at most 4000 characters)",
    });
  });

  it("prefers the field's message over the raw validation dump", () => {
    const failure = describeFailure(serverError("BAD_REQUEST", '[{"code":"too_big"}]', [{ path: "text", message: "Message is too long" }]));
    expect(failure.message).toBe("Message is too long");
  });

  it("calls a request that never reached the server a network failure", () => {
    expect(describeFailure(TRPCClientError.from(new TypeError("Failed to fetch"))).code).toBe("NETWORK");
    expect(describeFailure(new Error("boom")).code).toBe("NETWORK");
  });

  it("knows when the session must be started anew", () => {
    expect(isSessionLost(describeFailure(serverError("UNAUTHORIZED", "Session expired")))).toBe(true);
    expect(isSessionLost(describeFailure(serverError("NOT_FOUND", "Chat session not found")))).toBe(true);
    expect(isSessionLost(describeFailure(serverError("TOO_MANY_REQUESTS", "Slow down")))).toBe(false);
  });
});

describe("refusals the widget acts on", () => {
  const refused = (code: string, refusal: unknown) =>
    TRPCClientError.from({ error: { code: -32029, message: "You are sending messages too quickly. Please wait 12 s and try again.", data: { code, httpStatus: 429, refusal } } });

  it("reads how long to wait from a rate limit", () => {
    expect(describeFailure(refused("TOO_MANY_REQUESTS", { reason: "rate_limited", retryAfterSeconds: 12 }))).toEqual({
      code: "TOO_MANY_REQUESTS",
      message: "You are sending messages too quickly. Please wait 12 s and try again.",
      refusal: { reason: "rate_limited", retryAfterSeconds: 12 },
    });
  });

  it("offers the contact form when the budget is spent or the conversation's cap reached, not for other refusals", () => {
    expect(offersContactForm(describeFailure(refused("PAYMENT_REQUIRED", { reason: "budget_exhausted" })))).toBe(true);
    expect(offersContactForm(describeFailure(refused("FORBIDDEN", { reason: "session_cap" })))).toBe(true);
    expect(offersContactForm(describeFailure(refused("TOO_MANY_REQUESTS", { reason: "rate_limited", retryAfterSeconds: 3 })))).toBe(false);
    expect(offersContactForm(describeFailure(refused("FORBIDDEN", undefined)))).toBe(false);
  });

  it("ignores a malformed refusal", () => {
    expect(describeFailure(refused("TOO_MANY_REQUESTS", { reason: 5 })).refusal).toBeUndefined();
    expect(describeFailure(refused("TOO_MANY_REQUESTS", { reason: "rate_limited", retryAfterSeconds: -1 })).refusal).toEqual({ reason: "rate_limited" });
  });
});
