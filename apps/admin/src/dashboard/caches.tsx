"use client";

import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "../api/api-provider";
import type { MetricWindow } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { Panel } from "../components/panel";
import ui from "../components/ui.module.css";
import { formatCount, formatPercent } from "../shared/format";
import styles from "./dashboard.module.css";
import { overallHitRate } from "./format";
import { LIVE } from "./live";

/** Cache hit rates per namespace: a hit came from memory (L1) or Redis (L2), a miss went to Postgres. */
export function Caches({ window }: { window: MetricWindow }) {
  const trpc = useTRPC();
  const caches = useQuery(trpc.metrics.caches.queryOptions({ window }, LIVE));

  return (
    <Panel title="Caches">
      {caches.isPending && <p className={ui.muted}>Loading the caches…</p>}
      {caches.isError && <LoadFailure what="the caches" error={caches.error} onRetry={() => caches.refetch()} />}
      {caches.data &&
        (caches.data.namespaces.length === 0 ? (
          <p className={ui.muted}>No cache lookups in this window: the cache flag (pipeline.cache) may be off.</p>
        ) : (
          <>
            <p className={ui.muted}>
              {formatPercent(overallHitRate(caches.data.namespaces))} of lookups served from memory (L1) or Redis (L2); the rest went to Postgres.
            </p>
            <div className={ui.tableWrap} role="region" aria-label="Cache hit rates" tabIndex={0}>
              <table className={ui.table} data-testid="caches-table">
                <thead>
                  <tr>
                    <th scope="col">Namespace</th>
                    <th scope="col" className={ui.num}>
                      Hits
                    </th>
                    <th scope="col" className={ui.num}>
                      Misses
                    </th>
                    <th scope="col" className={ui.num}>
                      Hit rate
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {caches.data.namespaces.map((c) => (
                    <tr key={c.namespace}>
                      <th scope="row">
                        <code>{c.namespace}</code>
                      </th>
                      <td className={ui.num}>{formatCount(c.hits)}</td>
                      <td className={ui.num}>{formatCount(c.misses)}</td>
                      <td className={ui.num}>
                        {formatPercent(c.hitRate)}
                        <span className={styles.bar} aria-hidden="true">
                          <span style={{ width: `${Math.round((c.hitRate ?? 0) * 100)}%` }} />
                        </span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ))}
    </Panel>
  );
}
