"use client";

import { useId, type ReactNode } from "react";

import styles from "./ui.module.css";

/**
 * What a new admin sees before any visitor has chatted: what to do to see
 * something here. The demo page's URL comes from the server's WIDGET_URL;
 * without it, where to find the demo is explained instead.
 */
export function NoTraffic({ title, demoUrl, children }: { title: string; demoUrl: string | null; children?: ReactNode }) {
  const titleId = useId();
  return (
    <section className={styles.empty} aria-labelledby={titleId} data-testid="no-traffic">
      <h2 id={titleId} className={styles.emptyTitle}>
        {title}
      </h2>
      <ol>
        <li>
          {demoUrl ? (
            <>
              Open the{" "}
              <a href={demoUrl} target="_blank" rel="noreferrer">
                widget demo page<span className="visually-hidden"> (opens in a new tab)</span>
              </a>{" "}
              (or any page of your site with the widget snippet on it).
            </>
          ) : (
            <>
              Open a page with the widget on it: the widget app&apos;s <code>/demo</code> page (port 3000 under <code>pnpm start</code>), or any page of
              your site with the widget snippet.
            </>
          )}
        </li>
        <li>Click &ldquo;Open chat&rdquo; and send a message, for example with a name and an email address so that a lead is captured.</li>
        <li>Come back here: this page refreshes by itself every few seconds.</li>
      </ol>
      {children}
    </section>
  );
}
