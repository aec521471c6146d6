import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

// The tenant root. Its columns are spelled out here (not taken from ./columns)
// because ./columns references this table.
export const organizations = pgTable("organizations", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});
