import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "flags",
    include: ["src/**/*.test.ts"],
    // A real Unleash server on the test run's Postgres: the database setup comes first.
    globalSetup: ["../db/src/testing/global-setup.ts", "./src/testing/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
