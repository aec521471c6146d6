import { desc, sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { alerts } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

/** The organization's alerts: open ones first, then the newest. */
export async function listAlerts(db: Database, organizationId: string, input: { limit: number }) {
  const rows = await db
    .select()
    .from(alerts)
    .where(scopedTo(organizationId, alerts))
    .orderBy(desc(sql`${alerts.endedAt} is null`), desc(alerts.startedAt), desc(alerts.id))
    .limit(input.limit);
  return rows.map((a) => ({
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    message: a.message,
    details: a.details ?? {},
    open: a.endedAt === null,
    startedAt: a.startedAt.toISOString(),
    endedAt: a.endedAt?.toISOString() ?? null,
  }));
}
