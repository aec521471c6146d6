import { defineConfig } from "drizzle-kit";

// Generates SQL migrations from the schema; they are committed and applied by
// `pnpm db:migrate` (never `push`, outside a scratch database).
export default defineConfig({
  dialect: "postgresql",
  schema: "./packages/db/src/schema/index.ts",
  out: "./packages/db/migrations",
  casing: "snake_case",
  strict: true,
});
