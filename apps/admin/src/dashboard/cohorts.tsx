"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import { useTRPC } from "../api/api-provider";
import type { MetricWindow } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { Panel } from "../components/panel";
import ui from "../components/ui.module.css";
import { formatCount, formatMs } from "../shared/format";
import styles from "./dashboard.module.css";
import { compareCohorts } from "./format";
import { LIVE } from "./live";

/** For each flag, this organization's sessions with it on against those with it off. */
export function Cohorts({ window }: { window: MetricWindow }) {
  const trpc = useTRPC();
  const cohorts = useQuery(trpc.metrics.cohorts.queryOptions({ window }, LIVE));

  return (
    <Panel title="Cohorts">
      {cohorts.isPending && <p className={ui.muted}>Loading the cohorts…</p>}
      {cohorts.isError && <LoadFailure what="the cohorts" error={cohorts.error} onRetry={() => cohorts.refetch()} />}
      {cohorts.data &&
        (cohorts.data.flags.length === 0 ? (
          <p className={ui.muted}>No message recorded its flags in this window.</p>
        ) : (
          <>
            <p className={ui.muted}>
              p95 total time of the messages that ran with each flag on against those with it off. Roll flags out on the <Link href="/flags">Flags</Link> page.
            </p>
            <div className={ui.tableWrap} role="region" aria-label="Flag cohorts" tabIndex={0}>
              <table className={ui.table} data-testid="cohorts-table">
                <thead>
                  <tr>
                    <th scope="col">Flag</th>
                    <th scope="col" className={ui.num}>
                      Messages on / off
                    </th>
                    <th scope="col" className={ui.num}>
                      p95 total on / off
                    </th>
                    <th scope="col" className={ui.num}>
                      With the flag on
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {cohorts.data.flags.map((c) => {
                    const verdict = compareCohorts(c, "totalMs");
                    return (
                      <tr key={c.flag}>
                        <th scope="row">
                          <code>{c.flag}</code>
                        </th>
                        <td className={ui.num}>
                          {formatCount(c.enabled.count)} / {formatCount(c.control.count)}
                        </td>
                        <td className={ui.num}>
                          {formatMs(c.enabled.totalMs.p95)} / {formatMs(c.control.totalMs.p95)}
                        </td>
                        <td className={`${ui.num} ${verdict ? styles[verdict.verdict] : ""}`}>{verdict?.text ?? "—"}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </>
        ))}
    </Panel>
  );
}
