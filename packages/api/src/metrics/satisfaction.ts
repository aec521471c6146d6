import { sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { feedback } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { ratio, within, type MetricSpan } from "./windows";

/** Thumbs up and down given in the window, and the share that were up. */
export async function summarizeSatisfaction<S extends MetricSpan>(db: Database, organizationId: string, window: S) {
  const [row] = await db
    .select({
      up: sql<number>`(count(*) filter (where ${feedback.rating} = 'up'))::int`,
      down: sql<number>`(count(*) filter (where ${feedback.rating} = 'down'))::int`,
    })
    .from(feedback)
    .where(scopedTo(organizationId, feedback, within(feedback.createdAt, window)));
  const up = row?.up ?? 0;
  const down = row?.down ?? 0;
  return { window, up, down, upRate: ratio(up, up + down) };
}
