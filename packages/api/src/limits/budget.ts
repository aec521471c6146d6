import { sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";

/** A message's hold on its site's budget, until settled with what the model really cost. */
export type Reservation = { siteId: string; organizationId: string; day: string; usd: string; /** The spend ledger's lease it was taken from. */ lease?: number };

export type BudgetLimits = { siteId: string; organizationId: string; dailyBudgetUsd: number; monthlyBudgetUsd: number };

const usd = (n: number) => n.toFixed(8);

/**
 * Reserves a message's worst case on today's (UTC) row, in one statement,
 * only if the day's and the month's spend and reservations leave room for
 * it. The day is exact: its row is locked by the upsert. The month sums the
 * days before today by what they spent (a reservation a crashed process
 * never settled counts only on its own day) plus today's row as the statement
 * sees it, so messages racing on the month's last cents may pass it by a
 * message's worth.
 */
export async function reserveSpend(db: Database, limits: BudgetLimits, worstCaseUsd: number): Promise<Reservation | null> {
  const amount = usd(worstCaseUsd);
  const rows = await db.execute<{ day: string }>(sql`
    insert into site_spend as s (site_id, organization_id, day, reserved_usd)
    select ${limits.siteId}, ${limits.organizationId}, (now() at time zone 'utc')::date, ${amount}::numeric
    where ${amount}::numeric <= ${usd(limits.dailyBudgetUsd)}::numeric
      and ${amount}::numeric + (
        select coalesce(sum(m.spent_usd + case when m.day = (now() at time zone 'utc')::date then m.reserved_usd else 0 end), 0)
        from site_spend m
        where m.site_id = ${limits.siteId} and m.day >= date_trunc('month', now() at time zone 'utc')::date
      ) <= ${usd(limits.monthlyBudgetUsd)}::numeric
    on conflict (site_id, day) do update set reserved_usd = s.reserved_usd + excluded.reserved_usd
      where s.spent_usd + s.reserved_usd + excluded.reserved_usd <= ${usd(limits.dailyBudgetUsd)}::numeric
    returning s.day::text as day
  `);
  const day = rows[0]?.day;
  return day ? { siteId: limits.siteId, organizationId: limits.organizationId, day, usd: amount } : null;
}

/** Today's and this month's spend and open reservations of a site, for the admin's settings page. */
export async function readSpend(db: Database, organizationId: string, siteId: string) {
  const [row] = await db.execute<{ today_spent: string; today_reserved: string; month_spent: string }>(sql`
    select
      coalesce(sum(spent_usd) filter (where day = (now() at time zone 'utc')::date), 0)::text as today_spent,
      coalesce(sum(reserved_usd) filter (where day = (now() at time zone 'utc')::date), 0)::text as today_reserved,
      coalesce(sum(spent_usd), 0)::text as month_spent
    from site_spend
    where organization_id = ${organizationId} and site_id = ${siteId} and day >= date_trunc('month', now() at time zone 'utc')::date
  `);
  return { todaySpentUsd: row?.today_spent ?? "0", todayReservedUsd: row?.today_reserved ?? "0", monthSpentUsd: row?.month_spent ?? "0" };
}
