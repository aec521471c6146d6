import styles from "./stat-grid.module.css";

export type Stat = { label: string; value: string; hint?: string; testId: string };

/**
 * Headline numbers as tiles, each a label, a value and an optional hint. Each
 * tile's test id is `${testIdPrefix}${stat.testId}` ("stat-messages",
 * "report-stat-messages").
 */
export function StatGrid({ stats, testIdPrefix }: { stats: readonly Stat[]; testIdPrefix: string }) {
  return (
    <dl className={styles.stats}>
      {stats.map((stat) => (
        <div key={stat.label} className={styles.stat} data-testid={`${testIdPrefix}${stat.testId}`}>
          <dt>{stat.label}</dt>
          <dd className={styles.value}>{stat.value}</dd>
          {stat.hint && <dd className={styles.hint}>{stat.hint}</dd>}
        </div>
      ))}
    </dl>
  );
}
