import { defineProject } from "vitest/config";

// Browser tests: the real backend (Postgres, simulator, API), the built widget, Debian's Chromium.
export default defineProject({
  test: {
    name: "widget-e2e",
    include: ["e2e/**/*.e2e.test.ts"],
    globalSetup: ["../../packages/db/src/testing/global-setup.ts", "../../tooling/testing/build-apps.ts"],
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
