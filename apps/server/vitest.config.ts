import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "server",
    include: ["src/**/*.test.ts"],
    globalSetup: ["../../packages/db/src/testing/global-setup.ts", "../../packages/flags/src/testing/global-setup.ts", "../../tooling/testing/build-apps.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
