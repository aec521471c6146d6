"use client";

import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "../api/api-provider";
import type { CostSummary, MetricWindow } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { Panel } from "../components/panel";
import ui from "../components/ui.module.css";
import { formatCount, formatUsd } from "../shared/format";
import { LIVE } from "./live";

/** What the window's replies cost: in total, per qualified lead, per UTC day and per model. */
export function Costs({ window }: { window: MetricWindow }) {
  const trpc = useTRPC();
  const costs = useQuery(trpc.metrics.costs.queryOptions({ window }, LIVE));

  return (
    <Panel title="Cost">
      {costs.isPending && <p className={ui.muted}>Loading the costs…</p>}
      {costs.isError && <LoadFailure what="the costs" error={costs.error} onRetry={() => costs.refetch()} />}
      {costs.data && <CostTables costs={costs.data} />}
    </Panel>
  );
}

function CostTables({ costs }: { costs: CostSummary }) {
  return (
    <>
      <dl className={ui.facts}>
        <div>
          <dt>Total</dt>
          <dd data-testid="cost-total">{formatUsd(costs.totalUsd)}</dd>
        </div>
        <div>
          <dt>Priced replies</dt>
          <dd>{formatCount(costs.pricedMessages)}</dd>
        </div>
        <div>
          <dt>Qualified leads</dt>
          <dd>{formatCount(costs.qualifiedLeads)}</dd>
        </div>
        <div>
          <dt>Per qualified lead</dt>
          <dd>{formatUsd(costs.usdPerQualifiedLead)}</dd>
        </div>
      </dl>
      {costs.unpricedMessages > 0 && (
        <p className={ui.muted} style={{ marginTop: 8 }}>
          {formatCount(costs.unpricedMessages)} {costs.unpricedMessages === 1 ? "reply was" : "replies were"} not priced: no rate is known for{" "}
          {costs.unpricedMessages === 1 ? "its" : "their"} model, so {costs.unpricedMessages === 1 ? "it is" : "they are"} left out of the totals rather than
          counted as $0.
        </p>
      )}

      <h3 className={ui.subheading}>Per day (UTC)</h3>
      <div className={ui.tableWrap} role="region" aria-label="Cost per day" tabIndex={0}>
        <table className={ui.table} data-testid="cost-per-day">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" className={ui.num}>
                Cost
              </th>
              <th scope="col" className={ui.num}>
                Priced replies
              </th>
              <th scope="col" className={ui.num}>
                Unpriced
              </th>
            </tr>
          </thead>
          <tbody>
            {costs.byDay.map((d) => (
              <tr key={d.day}>
                <th scope="row">{d.day}</th>
                <td className={ui.num}>{formatUsd(d.usd)}</td>
                <td className={ui.num}>{formatCount(d.pricedMessages)}</td>
                <td className={ui.num}>{formatCount(d.unpricedMessages)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3 className={ui.subheading}>Per model</h3>
      <div className={ui.tableWrap} role="region" aria-label="Cost per model" tabIndex={0}>
        <table className={ui.table} data-testid="cost-per-model">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className={ui.num}>
                Cost
              </th>
              <th scope="col" className={ui.num}>
                Replies
              </th>
              <th scope="col" className={ui.num}>
                Input tokens
              </th>
              <th scope="col" className={ui.num}>
                Output tokens
              </th>
            </tr>
          </thead>
          <tbody>
            {costs.byModel.map((m) => (
              <tr key={m.model}>
                <th scope="row">
                  <code>{m.model}</code>
                </th>
                <td className={ui.num}>{m.pricedMessages ? formatUsd(m.usd) : "not priced"}</td>
                <td className={ui.num}>{formatCount(m.pricedMessages + m.unpricedMessages)}</td>
                <td className={ui.num}>{formatCount(m.inputTokens)}</td>
                <td className={ui.num}>{formatCount(m.outputTokens)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
