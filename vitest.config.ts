import { defineConfig } from "vitest/config";

// One Vitest run over every package and app; each keeps its own config.
export default defineConfig({
  test: {
    passWithNoTests: true,
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "apps/*/vitest.e2e.config.ts", "bench/vitest.config.ts"],
  },
});
