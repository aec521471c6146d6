"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId } from "react";

import { useTRPC } from "../api/api-provider";
import { describeFailure } from "../api/errors";
import type { CohortStats, WindowMinutes } from "../api/types";
import styles from "./flags.module.css";
import { compareErrorRate, compareLatency, FEW_SAMPLES, formatAgo, formatMs, formatRate, WINDOWS, type Difference } from "./format";

type Row = { label: string; value(stats: CohortStats): string; difference: Difference };

/** Sessions with the flag on against those with it off, over the chosen window, and what the rollout guard did about it. */
export function Cohorts({ name, windowMinutes }: { name: string; windowMinutes: WindowMinutes }) {
  const trpc = useTRPC();
  const titleId = useId();
  // The previous window's numbers stay on screen while the next window's load.
  const described = useQuery(trpc.flags.describe.queryOptions({ name, windowMinutes }, { refetchInterval: 5_000, placeholderData: keepPreviousData }));
  const windowLabel = WINDOWS.find((w) => w.minutes === windowMinutes)?.label ?? `${windowMinutes} minutes`;

  if (described.isPending) return <p className={styles.muted}>Loading cohorts…</p>;
  if (described.isError) return <p className={styles.fieldError}>Could not load the cohorts: {describeFailure(described.error).message}</p>;

  const { comparison, guardHistory } = described.data;
  const { enabled, control } = comparison;
  const rows: Row[] = [
    { label: "Messages", value: (s) => String(s.samples), difference: null },
    { label: "p95 total", value: (s) => (s.samples ? formatMs(s.p95TotalMs) : "—"), difference: compareLatency(enabled, control, "p95TotalMs") },
    { label: "p95 time to first token", value: (s) => (s.samples ? formatMs(s.p95FirstTokenMs) : "—"), difference: compareLatency(enabled, control, "p95FirstTokenMs") },
    { label: "Error rate", value: (s) => (s.samples ? formatRate(s.errorRate) : "—"), difference: compareErrorRate(enabled, control) },
  ];
  const few = enabled.samples < FEW_SAMPLES || control.samples < FEW_SAMPLES;

  return (
    <div className={styles.cohorts}>
      <h3 id={titleId} className={styles.subheading}>
        Enabled vs control, the last {windowLabel}
      </h3>
      {/* Focusable, so a keyboard can scroll the table on a narrow screen. */}
      <div className={styles.tableWrap} role="region" aria-labelledby={titleId} tabIndex={0}>
        <table className={styles.table} aria-labelledby={titleId}>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">Enabled</th>
              <th scope="col">Control</th>
              <th scope="col">Difference</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                <td>{row.value(enabled)}</td>
                <td>{row.value(control)}</td>
                <td className={row.difference ? styles[row.difference.verdict] : undefined}>{row.difference?.text ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {few && <p className={styles.muted}>Fewer than {FEW_SAMPLES} messages in a cohort: too few to compare reliably.</p>}

      <h3 className={styles.subheading}>Rollout guard</h3>
      {guardHistory.length === 0 ? (
        <p className={styles.muted}>The guard has not stepped in for this flag.</p>
      ) : (
        <ul className={styles.history}>
          {guardHistory.map((entry) => (
            <li key={`${entry.at}-${entry.message}`}>
              <span className={entry.severity === "critical" ? styles.severityCritical : styles.severity}>{entry.severity}</span>{" "}
              <time dateTime={entry.at} title={new Date(entry.at).toLocaleString()}>
                {formatAgo(entry.at, Date.now())}
              </time>
              : {entry.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
