import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";

import { codeOf, describeFailure, issuesOf, shouldRetry } from "./errors";

/** A failed call as the client sees it: the server's formatted error shape. */
function failed(code: string, message: string, issues?: { path: string; message: string }[]) {
  return TRPCClientError.from({ error: { code: -32000, message, data: { code, httpStatus: 400, path: "flags.setRollout", issues } } });
}

describe("describeFailure", () => {
  it("shows the server's message for the codes an admin meets", () => {
    expect(describeFailure(failed("UNAUTHORIZED", "Invalid email or password"))).toEqual({ code: "UNAUTHORIZED", message: "Invalid email or password" });
    expect(describeFailure(failed("TOO_MANY_REQUESTS", "Too many failed attempts. Try again later.")).message).toBe("Too many failed attempts. Try again later.");
    expect(describeFailure(failed("FORBIDDEN", "Viewers cannot change anything"))).toEqual({ code: "FORBIDDEN", message: "Viewers cannot change anything" });
    expect(describeFailure(failed("SERVICE_UNAVAILABLE", "Unleash could not be reached or refused the change")).code).toBe("SERVICE_UNAVAILABLE");
  });

  it("names the field of an input error, and leaves a full sentence alone", () => {
    expect(describeFailure(failed("BAD_REQUEST", "[zod]", [{ path: "email", message: "must be an email address" }])).message).toBe("Email must be an email address");
    expect(describeFailure(failed("BAD_REQUEST", "[zod]", [{ path: "reason", message: "Say why (at least 3 characters)" }])).message).toBe("Say why (at least 3 characters)");
    expect(describeFailure(failed("BAD_REQUEST", "Rollout is 0–100")).message).toBe("Rollout is 0–100");
  });

  it("tells an unreachable API apart from an error the API answered", () => {
    expect(describeFailure(new TypeError("fetch failed"))).toMatchObject({ code: "NETWORK", message: expect.stringContaining("Could not reach the API") });
    expect(describeFailure(new TRPCClientError("Unexpected token < in JSON"))).toMatchObject({ code: "NETWORK" });
  });
});

describe("shouldRetry", () => {
  it("retries the network and server trouble twice, never a refusal", () => {
    expect(shouldRetry(0, new TypeError("fetch failed"))).toBe(true);
    expect(shouldRetry(1, failed("SERVICE_UNAVAILABLE", "down"))).toBe(true);
    expect(shouldRetry(2, failed("INTERNAL_SERVER_ERROR", "oops"))).toBe(false);
    for (const code of ["UNAUTHORIZED", "FORBIDDEN", "BAD_REQUEST", "NOT_FOUND", "TOO_MANY_REQUESTS"]) expect(shouldRetry(0, failed(code, "no"))).toBe(false);
  });

  it("reads the code only from tRPC errors", () => {
    expect(codeOf(failed("FORBIDDEN", "no"))).toBe("FORBIDDEN");
    expect(codeOf({ data: { code: "FORBIDDEN" } })).toBeNull();
  });
});

describe("issuesOf", () => {
  it("lists each refused field of an input error, and nothing for other failures", () => {
    const issues = [
      { path: "changes.allowedOrigins.1", message: "An origin is scheme://host[:port], nothing more" },
      { path: "changes.dailyBudgetUsd", message: "0 or more" },
    ];
    expect(issuesOf(failed("BAD_REQUEST", "[zod]", issues))).toEqual(issues);
    expect(issuesOf(failed("BAD_REQUEST", "Nothing to change"))).toEqual([]);
    expect(issuesOf(failed("FORBIDDEN", "Viewers cannot change anything", issues))).toEqual([]);
    expect(issuesOf(new TypeError("fetch failed"))).toEqual([]);
  });
});
