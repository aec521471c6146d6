"use client";

import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "../api/api-provider";
import type { LatencySummary, MetricWindow } from "../api/types";
import { Panel } from "../components/panel";
import { StatGrid, type Stat } from "../components/stat-grid";
import { formatCount, formatMs, formatPercent, formatRate, formatUsd, NONE } from "../shared/format";
import { windowInfo } from "./format";
import { LIVE } from "./live";

/** The numbers an admin looks at first. Cost and satisfaction share their queries with their own panels below. */
export function Headline({ summary, window }: { summary: LatencySummary; window: MetricWindow }) {
  const trpc = useTRPC();
  const costs = useQuery(trpc.metrics.costs.queryOptions({ window }, LIVE));
  const satisfaction = useQuery(trpc.metrics.satisfaction.queryOptions({ window }, LIVE));
  const rated = satisfaction.data ? satisfaction.data.up + satisfaction.data.down : 0;

  const stats: Stat[] = [
    { label: "Messages", value: formatCount(summary.count), hint: `answered in the last ${windowInfo(window).label}`, testId: "messages" },
    { label: "p50 total", value: formatMs(summary.totalMs.p50), hint: "half the replies were faster", testId: "p50-total" },
    { label: "p95 total", value: formatMs(summary.totalMs.p95), hint: "19 in 20 replies were faster", testId: "p95-total" },
    { label: "p95 first token", value: formatMs(summary.firstTokenMs.p95), hint: "until the answer starts to appear", testId: "p95-first-token" },
    { label: "Error rate", value: formatRate(summary.errorRate), hint: "replies that failed", testId: "error-rate" },
    {
      label: "Background lag",
      value: formatMs(summary.backgroundLag.p95),
      hint: summary.backgroundLag.count ? "p95, from reply to background work done" : "no background work in the window",
      testId: "background-lag",
    },
    {
      label: "Cost",
      value: costs.data ? formatUsd(costs.data.totalUsd) : NONE,
      // Only once the costs are in: while they load (or if they failed) "no qualified lead yet" would be a claim we cannot make.
      hint: !costs.data ? undefined : costs.data.usdPerQualifiedLead != null ? `${formatUsd(costs.data.usdPerQualifiedLead)} per qualified lead` : "no qualified lead yet",
      testId: "cost",
    },
    {
      label: "Satisfaction",
      value: rated && satisfaction.data ? formatPercent(satisfaction.data.upRate) : NONE,
      hint: !satisfaction.data ? undefined : rated ? `thumbs up, of ${formatCount(rated)} rated` : "no ratings yet",
      testId: "satisfaction",
    },
  ];

  return (
    <Panel title="At a glance">
      <StatGrid stats={stats} testIdPrefix="stat-" />
    </Panel>
  );
}
