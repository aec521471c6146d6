"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import { useTRPC } from "../api/api-provider";
import type { MetricWindow } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { Panel } from "../components/panel";
import ui from "../components/ui.module.css";
import { formatCount } from "../shared/format";
import { LIVE } from "./live";

/** Chat calls turned away before any work, by why: a flood, a chat at its cap, or a spent budget. */
export function Refusals({ window }: { window: MetricWindow }) {
  const trpc = useTRPC();
  const refusals = useQuery(trpc.metrics.refusals.queryOptions({ window }, LIVE));

  return (
    <Panel title="Refused chats" testId="refusals">
      {refusals.isPending && <p className={ui.muted}>Loading the refusals…</p>}
      {refusals.isError && <LoadFailure what="the refusals" error={refusals.error} onRetry={() => refusals.refetch()} />}
      {refusals.data && (
        <>
          <dl className={ui.facts}>
            <div>
              <dt>Rate limited</dt>
              <dd data-testid="refused-rate-limited">{formatCount(refusals.data.rateLimited)}</dd>
            </div>
            <div>
              <dt>Session cap</dt>
              <dd data-testid="refused-session-cap">{formatCount(refusals.data.sessionCap)}</dd>
            </div>
            <div>
              <dt>Budget spent</dt>
              <dd data-testid="refused-budget">{formatCount(refusals.data.budgetExhausted)}</dd>
            </div>
          </dl>
          <p className={ui.muted} style={{ marginTop: 8 }}>
            Messages and new chats refused before the model was asked. Each site&apos;s limits and budgets are on the <Link href="/sites">Sites</Link> page.
          </p>
        </>
      )}
    </Panel>
  );
}
