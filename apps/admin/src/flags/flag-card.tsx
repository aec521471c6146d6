"use client";

import type { FlagRow, WindowMinutes } from "../api/types";
import { Cohorts } from "./cohorts";
import styles from "./flags.module.css";
import { describeAction, describeActor, describeExposure, formatAgo, type PendingChange } from "./format";
import { RolloutControls } from "./rollout-controls";

/** One flag: what it does, where its rollout stands, who changed it last and why, and its cohorts. */
export function FlagCard(props: { flag: FlagRow; canChange: boolean; windowMinutes: WindowMinutes; onRequest(change: PendingChange): void }) {
  const { flag, canChange, windowMinutes, onRequest } = props;
  const headingId = `flag-${flag.name.replace(/[^a-z0-9-]/gi, "-")}`;
  const state = flag.state;
  return (
    <article className={styles.card} aria-labelledby={headingId}>
      <div className={styles.cardMain}>
        <header className={styles.cardHeader}>
          <h2 id={headingId} className={styles.flagName}>
            {flag.name}
          </h2>
          <span className={state?.enabled ? styles.badgeOn : styles.badgeOff}>{state ? (state.enabled ? "Enabled" : "Disabled") : "Unknown"}</span>
        </header>
        <p className={styles.description}>{flag.description}</p>

        <dl className={styles.facts}>
          <div>
            <dt>State</dt>
            <dd>{describeExposure(state)}</dd>
          </div>
          <div>
            <dt>Rollout</dt>
            <dd data-testid="rollout">{state ? `${state.rollout} %` : "—"}</dd>
          </div>
          <div>
            <dt>Stickiness</dt>
            <dd>{state?.stickiness ?? "—"}</dd>
          </div>
          <div>
            <dt>Default in code</dt>
            <dd>{flag.defaultInCode ? "On" : "Off"}</dd>
          </div>
        </dl>

        <div className={styles.lastChange} data-testid="last-change">
          <h3 className={styles.subheading}>Last change</h3>
          {flag.lastChange ? (
            <p>
              {describeAction(flag.lastChange.action)},{" "}
              <time dateTime={flag.lastChange.at} title={new Date(flag.lastChange.at).toLocaleString()}>
                {formatAgo(flag.lastChange.at, Date.now())}
              </time>
              , by <span title={flag.lastChange.by}>{describeActor(flag.lastChange.by)}</span>
              {flag.lastChange.reason ? <>: &ldquo;{flag.lastChange.reason}&rdquo;</> : null}
            </p>
          ) : (
            <p className={styles.muted}>No change recorded here yet.</p>
          )}
        </div>

        <RolloutControls name={flag.name} state={state} canChange={canChange} onRequest={onRequest} />
      </div>
      <div className={styles.cardSide}>
        <Cohorts name={flag.name} windowMinutes={windowMinutes} />
      </div>
    </article>
  );
}
