import { defineProject } from "vitest/config";

// Browser tests: the real backend (Postgres, Unleash, simulator, API), the built admin app, Debian's Chromium.
export default defineProject({
  test: {
    name: "admin-e2e",
    include: ["e2e/**/*.e2e.test.ts"],
    globalSetup: ["../../packages/db/src/testing/global-setup.ts", "../../packages/flags/src/testing/global-setup.ts", "../../tooling/testing/build-apps.ts"],
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
