/** `pnpm db:migrate`: applies the migrations to DATABASE_URL. */
import { z } from "zod";

import { describeConnectionError } from "../client";
import { migrateDatabase } from "../migrate";

const env = z.object({ DATABASE_URL: z.url("DATABASE_URL must be a postgres:// URL") }).safeParse(process.env);
if (!env.success) {
  console.error("db:migrate: set DATABASE_URL to the database to migrate (pnpm start migrates the embedded one itself)");
  process.exit(1);
}
const url = env.data.DATABASE_URL;
migrateDatabase(url, (m) => console.log(m)).then(
  () => console.log("migrations applied"),
  (error: unknown) => {
    const code = (error as { code?: string }).code;
    console.error(`db:migrate: ${code && /^[A-Z]/.test(code) ? describeConnectionError(url, error) : String(error)}`);
    process.exit(1);
  },
);
