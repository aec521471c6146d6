import styles from "./leads.module.css";

/** A 0–100 score, with a small bar that only repeats the number for the eye. */
export function Score({ score }: { score: number }) {
  const width = Math.max(0, Math.min(100, score));
  return (
    <span className={styles.score}>
      {score}
      <span className={styles.scoreBar} aria-hidden="true">
        <span style={{ width: `${width}%` }} />
      </span>
    </span>
  );
}
