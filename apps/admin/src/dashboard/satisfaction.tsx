"use client";

import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "../api/api-provider";
import type { MetricWindow } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { Panel } from "../components/panel";
import ui from "../components/ui.module.css";
import { formatCount } from "../shared/format";
import styles from "./dashboard.module.css";
import { describeSatisfaction } from "./format";
import { LIVE } from "./live";

/** Visitors' thumbs up and down on answers in the window. */
export function Satisfaction({ window }: { window: MetricWindow }) {
  const trpc = useTRPC();
  const ratings = useQuery(trpc.metrics.satisfaction.queryOptions({ window }, LIVE));

  return (
    <Panel title="Satisfaction">
      {ratings.isPending && <p className={ui.muted}>Loading the ratings…</p>}
      {ratings.isError && <LoadFailure what="the ratings" error={ratings.error} onRetry={() => ratings.refetch()} />}
      {ratings.data && (
        <>
          <p data-testid="satisfaction-summary">{describeSatisfaction(ratings.data.up, ratings.data.down)}</p>
          {ratings.data.up + ratings.data.down > 0 ? (
            <>
              <span className={styles.bar} aria-hidden="true">
                <span style={{ width: `${Math.round((ratings.data.upRate ?? 0) * 100)}%` }} />
              </span>
              <dl className={ui.facts} style={{ marginTop: 12 }}>
                <div>
                  <dt>Thumbs up</dt>
                  <dd>{formatCount(ratings.data.up)}</dd>
                </div>
                <div>
                  <dt>Thumbs down</dt>
                  <dd>{formatCount(ratings.data.down)}</dd>
                </div>
              </dl>
            </>
          ) : (
            <p className={ui.muted}>Visitors rate an answer with the thumbs under it in the chat.</p>
          )}
        </>
      )}
    </Panel>
  );
}
