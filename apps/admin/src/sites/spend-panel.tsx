"use client";

import type { SiteLimits } from "../api/types";
import { Panel } from "../components/panel";
import { describeMonthSpend, describeTodaySpend, shareOfBudget } from "./format";
import styles from "./sites.module.css";

/** What the site's model has cost so far, against the budgets that apply; reserved is what replies being written may still cost. */
export function SpendPanel({ limits }: { limits: SiteLimits }) {
  const { spend, effective } = limits;
  const today = Number(spend.todaySpentUsd) + Number(spend.todayReservedUsd);
  return (
    <Panel title="Spend so far" testId="site-spend">
      <dl className={styles.spend}>
        <div>
          <dt>Today (UTC)</dt>
          <dd data-testid="spend-today">{describeTodaySpend(spend.todaySpentUsd, spend.todayReservedUsd, effective.dailyBudgetUsd)}</dd>
          <SpendBar share={shareOfBudget(today, effective.dailyBudgetUsd)} />
        </div>
        <div>
          <dt>This month (UTC)</dt>
          <dd data-testid="spend-month">{describeMonthSpend(spend.monthSpentUsd, effective.monthlyBudgetUsd)}</dd>
          <SpendBar share={shareOfBudget(Number(spend.monthSpentUsd), effective.monthlyBudgetUsd)} />
        </div>
      </dl>
      <p className={styles.hint}>
        When either budget is spent, the chat stops calling the model until the next day or month and asks visitors to leave their contact details.
      </p>
    </Panel>
  );
}

/** The text beside it says the same: the bar is for the eye only. */
function SpendBar({ share }: { share: number }) {
  return (
    <dd className={styles.bar} aria-hidden="true">
      <span className={share >= 1 ? styles.barFull : undefined} style={{ width: `${Math.round(share * 100)}%` }} />
    </dd>
  );
}
