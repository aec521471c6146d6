import type { Metadata } from "next";

import styles from "./demo.module.css";

export const metadata: Metadata = { title: "Acme Analytics — dashboards your whole team reads" };

const FEATURES = [
  { title: "Live dashboards", text: "Connect Postgres, Snowflake or BigQuery and see numbers refresh every minute, without writing SQL." },
  { title: "Alerts that matter", text: "Get a Slack message when sign-ups drop or churn spikes, with the chart that explains why." },
  { title: "Shared by default", text: "Every chart has a link. Comment, annotate and export to slides in one click." },
];

const PLANS = [
  { name: "Starter", price: "$29", detail: "3 editors, 10 dashboards" },
  { name: "Team", price: "$99", detail: "15 editors, unlimited dashboards, alerts" },
  { name: "Enterprise", price: "Let's talk", detail: "SSO, audit log, dedicated support" },
];

/** A sample customer page: the widget is added exactly as a customer would add it, with the one-tag snippet. */
export default function DemoPage() {
  return (
    <div className={styles.site}>
      <header className={styles.nav}>
        <span className={styles.logo}>◆ Acme Analytics</span>
        <nav aria-label="Main">
          <a href="#features">Features</a>
          <a href="#pricing">Pricing</a>
          <a href="#customers">Customers</a>
        </nav>
      </header>
      <main>
        <section className={styles.hero}>
          <h1>Dashboards your whole team actually reads</h1>
          <p>Acme Analytics turns your warehouse into clear, shared answers in minutes. Questions? Our assistant is in the corner.</p>
          <a className={styles.cta} href="#pricing">
            Start a free trial
          </a>
        </section>
        <section id="features" className={styles.section}>
          <h2>Features</h2>
          <div className={styles.grid}>
            {FEATURES.map((f) => (
              <article key={f.title} className={styles.card}>
                <h3>{f.title}</h3>
                <p>{f.text}</p>
              </article>
            ))}
          </div>
        </section>
        <section id="pricing" className={styles.section}>
          <h2>Pricing</h2>
          <div className={styles.grid}>
            {PLANS.map((p) => (
              <article key={p.name} className={styles.card}>
                <h3>{p.name}</h3>
                <p className={styles.price}>{p.price}</p>
                <p>{p.detail}</p>
              </article>
            ))}
          </div>
        </section>
        <section id="customers" className={styles.section}>
          <h2>Customers</h2>
          <blockquote className={styles.quote}>
            “We replaced four spreadsheets and a weekly meeting with one Acme dashboard.”
            <footer>— Priya N., Head of Growth at Northwind</footer>
          </blockquote>
        </section>
      </main>
      <footer className={styles.footer}>© Acme Analytics, Inc. This is a demo page for the Leadline widget.</footer>
      {/* The customer's snippet, unchanged: the loader takes its own origin from this tag's src. */}
      <script src="/loader.js" data-site-key="demo" async />
    </div>
  );
}
