"use client";

import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "../api/api-provider";
import type { Alert } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { Panel } from "../components/panel";
import { TimeAgo, useNow } from "../components/time-ago";
import ui from "../components/ui.module.css";
import { formatDateTime } from "../shared/format";
import styles from "./alerts.module.css";
import { describeSpan, detailFacts, severityLabel, splitAlerts } from "./format";
import { RulesPanel } from "./rules-panel";

const SEVERITY_BADGES = { critical: ui.badgeDanger, warning: ui.badgeWarning, info: ui.badgeAccent } as const;

/** The organization's alerts, open ones first, refreshed every 5 s; then the rules that open them. */
export function AlertsPage() {
  const trpc = useTRPC();
  const alerts = useQuery(trpc.alerts.list.queryOptions({ limit: 100 }, { refetchInterval: 5_000 }));
  const split = alerts.data ? splitAlerts(alerts.data) : null;

  return (
    <>
      <div className={ui.top}>
        <div>
          <h1 className={ui.title}>Alerts</h1>
          <p className={ui.intro}>
            Opened by the server when something needs a look: one of the rules below is crossed, or the rollout guard steps a flag back because its sessions
            got slower. Closed when it recovers.
          </p>
        </div>
      </div>

      {alerts.isPending && <p>Loading alerts…</p>}
      {alerts.isError && <LoadFailure what="the alerts" error={alerts.error} onRetry={() => alerts.refetch()} />}
      {split &&
        (split.open.length + split.resolved.length === 0 ? (
          <div className={ui.empty} data-testid="no-alerts">
            <h2 className={ui.emptyTitle}>No alerts</h2>
            <p>Nothing has needed attention so far. When a rule fires, the alert shows up here within a few seconds, open ones at the top.</p>
          </div>
        ) : (
          <>
            <Panel title={`Open (${split.open.length})`} testId="open-alerts">
              {split.open.length === 0 ? <p className={ui.muted}>No open alert: everything is as it should be.</p> : <AlertList alerts={split.open} />}
            </Panel>
            {split.resolved.length > 0 && (
              <Panel title="Resolved" testId="resolved-alerts">
                <AlertList alerts={split.resolved} />
              </Panel>
            )}
          </>
        ))}

      <RulesPanel />
    </>
  );
}

function AlertList({ alerts }: { alerts: Alert[] }) {
  const now = useNow();
  return (
    <ul className={styles.list}>
      {alerts.map((alert) => {
        const details = detailFacts(alert.details, alert.rule);
        return (
          <li key={alert.id}>
            <article className={styles[alert.severity]} aria-label={`${severityLabel(alert.severity)}: ${alert.message}`}>
              <div className={styles.header}>
                <span className={SEVERITY_BADGES[alert.severity]}>{severityLabel(alert.severity)}</span>
                <h3 className={styles.message}>{alert.message}</h3>
              </div>
              <p className={styles.meta}>
                <code>{alert.rule}</code> · started <TimeAgo iso={alert.startedAt} />
                {alert.endedAt && (
                  <>
                    {" "}
                    · ended <time dateTime={alert.endedAt}>{formatDateTime(alert.endedAt)}</time>
                  </>
                )}{" "}
                · {describeSpan(alert, now)}
              </p>
              {details.length > 0 && (
                <details className={styles.details}>
                  <summary>Details</summary>
                  <dl className={ui.facts}>
                    {details.map((fact) => (
                      <div key={fact.label}>
                        <dt>{fact.label}</dt>
                        <dd>{fact.value}</dd>
                      </div>
                    ))}
                  </dl>
                </details>
              )}
            </article>
          </li>
        );
      })}
    </ul>
  );
}
