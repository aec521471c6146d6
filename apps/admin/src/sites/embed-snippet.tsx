"use client";

import { useState } from "react";

import { Panel } from "../components/panel";
import ui from "../components/ui.module.css";
import { embedSnippet, WIDGET_URL_PLACEHOLDER } from "./format";
import styles from "./sites.module.css";

/** The tag a customer pastes into their pages, with a button to copy it. */
export function EmbedSnippet({ widgetUrl, siteKey }: { widgetUrl: string | null; siteKey: string }) {
  const snippet = embedSnippet(widgetUrl, siteKey);
  const [copied, setCopied] = useState("");

  async function copy() {
    try {
      await navigator.clipboard.writeText(snippet);
      setCopied("Copied.");
    } catch {
      // The clipboard needs a secure page and the browser's permission.
      setCopied("Could not copy: select the snippet and copy it.");
    }
  }

  return (
    <Panel title="Embed snippet" testId="embed-snippet">
      <p className={styles.hint}>Paste it into each page that should show the chat, before &lt;/body&gt;; the page&apos;s origin must be allowed below.</p>
      <pre className={styles.snippet}>
        <code data-testid="snippet">{snippet}</code>
      </pre>
      {!widgetUrl && (
        <p className={styles.hint}>
          This admin app was not told where the widget is served (WIDGET_URL): put the widget app&apos;s address in place of {WIDGET_URL_PLACEHOLDER}.
        </p>
      )}
      <div className={ui.actions}>
        <button type="button" className={ui.button} onClick={copy}>
          Copy the snippet
        </button>
        <p role="status" className={styles.hint}>
          {copied}
        </p>
      </div>
    </Panel>
  );
}
