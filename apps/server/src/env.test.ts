import { describe, expect, it } from "vitest";

import { EnvError, parseEnv } from "./env";

describe("environment", () => {
  it("defaults to the embedded set-up when nothing is set", () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.API_PORT).toBe(4000);
    expect(env.PG_PORT).toBe(54329);
    expect(env.widgetOrigin).toBe("http://localhost:3000");
    expect(env).toMatchObject({ ALERT_INTERVAL_MS: 30_000, ALERT_MIN_SAMPLES: 20, REPORT_CRON: "5 0 * * *" });
  });

  it.each([
    [{ API_PORT: "abc" }, /API_PORT: .*(number|whole)/],
    [{ API_PORT: "70000" }, /API_PORT: must be a port 1–65535 \(got "70000"\)/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL: must start with postgres:\/\//],
    [{ ROLE: "cron" }, /ROLE: /],
    [{ REPORT_CRON: "daily" }, /REPORT_CRON: must be a cron expression of 5 fields/],
    [{ ALERT_INTERVAL_MS: "0" }, /ALERT_INTERVAL_MS: must be positive/],
    [{ SESSION_SECRET: "short" }, /SESSION_SECRET: must be at least 32 characters/],
    [{ TOKEN_BATCH_MS: "-1" }, /TOKEN_BATCH_MS: must be 0 or more/],
    [{ TOKEN_BATCH_MS: "5000" }, /TOKEN_BATCH_MS: must be at most 1000/],
    [{ WORKER_THREAD: "yes" }, /WORKER_THREAD: /],
    [{ NODE_ENV: "production" }, /SESSION_SECRET: required when NODE_ENV=production/],
  ])("rejects %o naming the variable and why", (source, message) => {
    expect(() => parseEnv(source)).toThrow(EnvError);
    expect(() => parseEnv(source)).toThrow(message);
  });

  it("names every bad variable at once", () => {
    expect(() => parseEnv({ API_PORT: "x", DB_POOL_MAX: "-1" })).toThrow(/API_PORT[\s\S]*DB_POOL_MAX/);
  });
});
