import { useId, type ReactNode } from "react";

import styles from "./ui.module.css";

/** A titled part of a page: a region named by its heading, so a screen reader (or a test) can go straight to it. */
export function Panel({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  const titleId = useId();
  return (
    <section className={styles.panel} aria-labelledby={titleId} data-testid={testId}>
      <h2 id={titleId} className={styles.panelTitle}>
        {title}
      </h2>
      {children}
    </section>
  );
}
