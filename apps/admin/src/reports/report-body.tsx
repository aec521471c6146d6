"use client";

import type { ReportBody as Body } from "../api/types";
import { Panel } from "../components/panel";
import { StageTable } from "../components/stage-table";
import { StatGrid, type Stat } from "../components/stat-grid";
import ui from "../components/ui.module.css";
import { describeMode, describeSatisfaction } from "../dashboard/format";
import { formatCount, formatDateTime, formatMs, formatPercent, formatRate, formatUsd, NONE, wordsOf } from "../shared/format";
import { describeCache, describeListedAlerts, describeUnpriced, latencyRows } from "./format";
import styles from "./reports.module.css";

type Fact = { label: string; value: string; hint?: string; testId?: string };

/** A report's body, section by section, in the dashboard's words. */
export function ReportBody({ body }: { body: Body }) {
  const rated = body.satisfaction.up + body.satisfaction.down;
  const headline: Stat[] = [
    { label: "Messages", value: formatCount(body.messages), hint: body.complete ? "answered that day" : "answered so far", testId: "messages" },
    { label: "p95 total", value: formatMs(body.totalMs.p95), hint: "19 in 20 replies were faster", testId: "p95-total" },
    { label: "p95 first token", value: formatMs(body.firstTokenMs.p95), hint: "until the answer starts to appear", testId: "p95-first-token" },
    { label: "Error rate", value: formatRate(body.errorRate), hint: "replies that failed", testId: "error-rate" },
    { label: "Cost", value: formatUsd(body.cost.totalUsd), hint: `${formatCount(body.cost.pricedMessages)} priced replies`, testId: "cost" },
    {
      label: "Per qualified lead",
      value: formatUsd(body.cost.usdPerQualifiedLead),
      hint: body.leads.qualified ? `${formatCount(body.leads.qualified)} qualified` : "no lead qualified that day",
      testId: "cost-per-lead",
    },
    {
      label: "Satisfaction",
      value: rated ? formatPercent(body.satisfaction.upRate) : NONE,
      hint: rated ? `thumbs up, of ${formatCount(rated)} rated` : "no ratings",
      testId: "satisfaction",
    },
    { label: "Alerts opened", value: formatCount(body.alerts.opened), testId: "alerts-opened" },
  ];

  return (
    <>
      <Panel title="At a glance">
        <StatGrid stats={headline} testIdPrefix="report-stat-" />
      </Panel>

      <Latency body={body} />
      <TopStages stages={body.topStages} />

      <div className={styles.columns}>
        <Panel title="Leads">
          <Facts
            testId="report-leads"
            facts={[
              { label: "New", value: formatCount(body.leads.new), hint: "first seen that day" },
              { label: "Captured", value: formatCount(body.leads.captured), hint: "of them left an email or phone" },
              { label: "Qualified", value: formatCount(body.leads.qualified), hint: "became qualified or hot" },
            ]}
          />
        </Panel>
        <Panel title="Cost">
          <Facts
            testId="report-cost"
            facts={[
              { label: "Total", value: formatUsd(body.cost.totalUsd) },
              { label: "Per qualified lead", value: formatUsd(body.cost.usdPerQualifiedLead) },
              { label: "Priced replies", value: formatCount(body.cost.pricedMessages) },
            ]}
          />
          {describeUnpriced(body.cost) && <p className={styles.note}>{describeUnpriced(body.cost)}</p>}
        </Panel>
        <Panel title="Caches">
          <p className={styles.summary} data-testid="report-cache">
            {describeCache(body.cache)}
          </p>
          <Facts
            facts={[
              { label: "Hits", value: formatCount(body.cache.hits) },
              { label: "Misses", value: formatCount(body.cache.misses) },
            ]}
          />
        </Panel>
        <Panel title="Satisfaction">
          <p className={styles.summary} data-testid="report-satisfaction">
            {rated ? describeSatisfaction(body.satisfaction.up, body.satisfaction.down) : "No answer was rated that day"}
          </p>
          <Facts
            facts={[
              { label: "Thumbs up", value: formatCount(body.satisfaction.up) },
              { label: "Thumbs down", value: formatCount(body.satisfaction.down) },
            ]}
          />
        </Panel>
      </div>

      <AlertsOpened alerts={body.alerts} />
    </>
  );
}

function Facts({ facts, testId }: { facts: Fact[]; testId?: string }) {
  return (
    <dl className={ui.facts} data-testid={testId}>
      {facts.map((fact) => (
        <div key={fact.label}>
          <dt>{fact.label}</dt>
          <dd>{fact.value}</dd>
          {fact.hint && <dd className={styles.factHint}>{fact.hint}</dd>}
        </div>
      ))}
    </dl>
  );
}

function Latency({ body }: { body: Body }) {
  return (
    <Panel title="Response times">
      <div className={ui.tableWrap} role="region" aria-label="Response time percentiles" tabIndex={0}>
        <table className={ui.table} data-testid="report-latency">
          <caption>
            Over {formatCount(body.messages)} {body.messages === 1 ? "message" : "messages"}; background lag over {formatCount(body.backgroundLagMs.count)}{" "}
            {body.backgroundLagMs.count === 1 ? "reply" : "replies"} with background work.
          </caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col" className={ui.num}>
                p50
              </th>
              <th scope="col" className={ui.num}>
                p95
              </th>
              <th scope="col" className={ui.num}>
                p99
              </th>
            </tr>
          </thead>
          <tbody>
            {latencyRows(body).map((row) => (
              <tr key={row.label}>
                <th scope="row">
                  {row.label} <span className={styles.rowHint}>{row.hint}</span>
                </th>
                <td className={ui.num}>{formatMs(row.percentiles.p50)}</td>
                <td className={ui.num}>{formatMs(row.percentiles.p95)}</td>
                <td className={ui.num}>{formatMs(row.percentiles.p99)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}

function TopStages({ stages }: { stages: Body["topStages"] }) {
  const modes = [...new Set(stages.map((s) => s.mode))];
  return (
    <Panel title="Top stages">
      {stages.length === 0 ? (
        <p className={ui.muted}>No stage recorded a duration that day.</p>
      ) : (
        <StageTable stages={stages} label="Top stages table" testId="report-stages" />
      )}
      {stages.length > 0 && (
        <p className={styles.note}>
          The stages that took the most of visitors&apos; time. {modes.map(describeMode).join("; ")}.
        </p>
      )}
    </Panel>
  );
}

const SEVERITY_BADGES: Record<string, string | undefined> = { critical: ui.badgeDanger, warning: ui.badgeWarning, info: ui.badgeAccent };

function AlertsOpened({ alerts }: { alerts: Body["alerts"] }) {
  const more = describeListedAlerts(alerts);
  return (
    <Panel title={`Alerts opened (${formatCount(alerts.opened)})`} testId="report-alerts">
      {alerts.listed.length === 0 ? (
        <p className={ui.muted}>No alert was opened that day.</p>
      ) : (
        <ul className={styles.alerts}>
          {alerts.listed.map((alert) => (
            <li key={`${alert.rule}-${alert.startedAt}`}>
              <span className={SEVERITY_BADGES[alert.severity] ?? ui.badge}>{wordsOf(alert.severity)}</span> {alert.message}{" "}
              <span className={ui.muted}>
                (<code>{alert.rule}</code>, from <time dateTime={alert.startedAt}>{formatDateTime(alert.startedAt)}</time>
                {alert.endedAt ? (
                  <>
                    {" "}
                    to <time dateTime={alert.endedAt}>{formatDateTime(alert.endedAt)}</time>
                  </>
                ) : (
                  ", still open when the report was made"
                )}
                )
              </span>
            </li>
          ))}
        </ul>
      )}
      {more && <p className={ui.muted}>{more}</p>}
    </Panel>
  );
}
