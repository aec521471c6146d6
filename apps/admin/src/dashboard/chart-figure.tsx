"use client";

import type { ReactNode } from "react";

import styles from "./dashboard.module.css";

/**
 * A chart that a screen reader (and a test) can read: the drawing is one
 * image named by a summary of what it shows, the caption says how to read it,
 * and the numbers behind it are a real table, folded away under "Show the
 * numbers" when the chart already tells the story, or shown below it.
 */
export function ChartFigure(props: { summary: string; caption: ReactNode; height: number; children: ReactNode; table: ReactNode; tableOpen?: boolean }) {
  const { summary, caption, height, children, table, tableOpen = false } = props;
  return (
    <figure className={styles.figure}>
      <div role="img" aria-label={summary} className={styles.chart} style={{ height }}>
        {/* The drawing's own parts (legend icons, axes) would be read one by one: the summary above speaks for them. */}
        <div aria-hidden="true" className={styles.drawing}>
          {children}
        </div>
      </div>
      <figcaption>{caption}</figcaption>
      {tableOpen ? (
        <div className={styles.numbers}>{table}</div>
      ) : (
        <details className={styles.numbers}>
          <summary>Show the numbers</summary>
          {table}
        </details>
      )}
    </figure>
  );
}

/** The chart palette: the p95 of a pair is dashed, so the lines are told apart without colour too. */
export const SERIES = {
  total: "#1d4ed8",
  firstToken: "#b45309",
  p50: "#93c5fd",
  p95: "#1d4ed8",
  grid: "#e5e7eb",
  axis: "#4b5563",
} as const;
