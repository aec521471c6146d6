import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "flags", include: ["src/**/*.test.ts"] },
});
