import { sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";

export type CohortStats = { samples: number; p95TotalMs: number; p95FirstTokenMs: number; errorRate: number };
export type CohortComparison = { enabled: CohortStats; control: CohortStats };

const EMPTY: CohortStats = { samples: 0, p95TotalMs: 0, p95FirstTokenMs: 0, errorRate: 0 };

/**
 * Messages of the last windowMinutes split by whether the flag was on for
 * them (as recorded with each message's timings): sample size, p95 total,
 * p95 time to first token and error rate per cohort. All organizations:
 * a flag is rolled out for the whole deployment.
 */
export async function compareCohorts(db: Database, flag: string, windowMinutes: number): Promise<CohortComparison> {
  const rows = await db.execute<{ enabled: boolean; samples: number; p95_total: number | null; p95_ttft: number | null; error_rate: number | null }>(sql`
    select (flags ->> ${flag})::boolean as enabled,
           count(*)::int as samples,
           percentile_cont(0.95) within group (order by total_ms) as p95_total,
           percentile_cont(0.95) within group (order by time_to_first_token_ms) as p95_ttft,
           avg(case when outcome = 'failed' then 1.0 else 0.0 end)::float8 as error_rate
    from request_timings
    where created_at > now() - make_interval(mins => ${windowMinutes}) and flags ? ${flag}
    group by 1`);
  const of = (enabled: boolean): CohortStats => {
    const row = rows.find((r) => r.enabled === enabled);
    return row ? { samples: row.samples, p95TotalMs: row.p95_total ?? 0, p95FirstTokenMs: row.p95_ttft ?? 0, errorRate: row.error_rate ?? 0 } : EMPTY;
  };
  return { enabled: of(true), control: of(false) };
}
