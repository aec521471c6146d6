"use client";

import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";

import { useTRPC } from "../api/api-provider";
import type { MetricWindow } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { NoTraffic } from "../components/no-traffic";
import ui from "../components/ui.module.css";
import { Caches } from "./caches";
import { Cohorts } from "./cohorts";
import { Costs } from "./costs";
import styles from "./dashboard.module.css";
import { DASHBOARD_WINDOWS, windowInfo } from "./format";
import { Headline } from "./headline";
import { LIVE } from "./live";
import { Refusals } from "./refusals";
import { ResponseTime } from "./response-time";
import { Satisfaction } from "./satisfaction";
import { Stages } from "./stages";

/**
 * Where visitors' time and money went over a window: headline numbers, the
 * response-time trend, each stage, caches, cost, satisfaction and flag
 * cohorts; and the chats refused before any work, shown even without a
 * message, as every chat may have been refused. Every part refreshes itself
 * every 5 s.
 */
export function DashboardPage({ initialWindow, demoUrl }: { initialWindow: MetricWindow; demoUrl: string | null }) {
  const trpc = useTRPC();
  const [selected, setSelected] = useState<MetricWindow>(initialWindow);
  const summary = useQuery(trpc.metrics.summary.queryOptions({ window: selected }, LIVE));
  const label = windowInfo(selected).label;

  function choose(next: MetricWindow) {
    setSelected(next);
    // Kept in the address, so a reload or a shared link shows the same window.
    const url = new URL(globalThis.location.href);
    url.searchParams.set("window", next);
    globalThis.history.replaceState(globalThis.history.state, "", url);
  }

  return (
    <>
      <div className={ui.top}>
        <div>
          <h1 className={ui.title}>Dashboard</h1>
          <p className={ui.intro}>How fast visitors got their answers, where the time went stage by stage, and what it cost. Refreshes every 5 seconds.</p>
        </div>
        <WindowPicker value={selected} onChange={choose} />
      </div>

      {summary.isPending && <p>Loading the dashboard…</p>}
      {summary.isError && <LoadFailure what="the dashboard" error={summary.error} onRetry={() => summary.refetch()} />}
      {summary.data && (
        <>
          <p className={styles.updated}>
            {summary.isPlaceholderData ? `Loading the last ${label}…` : `Updated ${new Date(summary.dataUpdatedAt).toLocaleTimeString("en-GB")}`}
          </p>
          {summary.data.count === 0 ? (
            <NoTraffic title={`No messages in the last ${label}`} demoUrl={demoUrl}>
              <p>Or choose a longer window above, if visitors chatted earlier.</p>
            </NoTraffic>
          ) : (
            <>
              <Headline summary={summary.data} window={summary.data.window} />
              <ResponseTime window={selected} />
              <Stages window={selected} />
              <div className={styles.columns}>
                <Caches window={selected} />
                <Satisfaction window={selected} />
              </div>
              <Costs window={selected} />
              <Cohorts window={selected} />
            </>
          )}
          <Refusals window={selected} />
        </>
      )}
    </>
  );
}

/** The window as a group of radio buttons: arrow keys move between them, as in any radio group. */
function WindowPicker({ value, onChange }: { value: MetricWindow; onChange(window: MetricWindow): void }) {
  const name = useId();
  return (
    <fieldset className={styles.windowPicker}>
      <legend>Show the last</legend>
      <div className={styles.segments}>
        {DASHBOARD_WINDOWS.map((w) => (
          <label key={w.value}>
            <input type="radio" name={name} value={w.value} checked={value === w.value} onChange={() => onChange(w.value)} />
            <span>{w.short}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
