"use client";

import { describeFailure } from "../api/errors";
import styles from "./ui.module.css";

/** A query that failed: what could not be loaded, why, and a way to try again. */
export function LoadFailure({ what, error, onRetry }: { what: string; error: unknown; onRetry(): void }) {
  return (
    <div role="alert" className={styles.banner}>
      <p>
        Could not load {what}: {describeFailure(error).message}
      </p>
      <button type="button" className={styles.button} onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
