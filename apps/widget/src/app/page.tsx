import Link from "next/link";

import styles from "./site.module.css";

const SNIPPET = `<script src="https://widget.example/loader.js" data-site-key="YOUR_SITE_KEY" async></script>`;

export default function HomePage() {
  return (
    <main className={styles.page}>
      <h1>Leadline chat widget</h1>
      <p>
        An AI assistant for your website that answers visitors&apos; questions and qualifies them as sales leads. Answers stream as the
        model writes them.
      </p>
      <h2>Add it to your site</h2>
      <p>Paste one tag before the closing <code>&lt;/body&gt;</code> of every page, with your site&apos;s public key:</p>
      <pre className={styles.code}>
        <code>{SNIPPET}</code>
      </pre>
      <p>
        Use this server&apos;s address in place of <code>https://widget.example</code>. The tag adds a chat button in a corner of the
        page; the chat opens in an isolated frame, so your page&apos;s styles and scripts and the widget&apos;s never touch. The
        conversation carries on across pages and reloads.
      </p>
      <p>
        <Link href="/demo">See it on a sample customer page →</Link>
      </p>
    </main>
  );
}
