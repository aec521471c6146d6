"use client";

import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { useTRPC } from "../api/api-provider";
import type { MetricWindow, StageSummary } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { Panel } from "../components/panel";
import { StageTable } from "../components/stage-table";
import { useMediaQuery } from "../components/use-media-query";
import ui from "../components/ui.module.css";
import { formatMs } from "../shared/format";
import { ChartFigure, SERIES } from "./chart-figure";
import { describeMode, describeStages, toStageBars } from "./format";
import { LIVE } from "./live";

/** Each pipeline stage by mode: how long the reply waited for it (p50/p95), how often it ran, how often it failed. */
export function Stages({ window }: { window: MetricWindow }) {
  const trpc = useTRPC();
  const stages = useQuery(trpc.metrics.stages.queryOptions({ window }, LIVE));

  return (
    <Panel title="Stages">
      {stages.isPending && <p className={ui.muted}>Loading the stages…</p>}
      {stages.isError && <LoadFailure what="the stages" error={stages.error} onRetry={() => stages.refetch()} />}
      {stages.data &&
        (stages.data.stages.length === 0 ? (
          <p className={ui.muted}>No stage recorded a duration in this window.</p>
        ) : (
          <StageChart summary={stages.data} window={window} />
        ))}
    </Panel>
  );
}

function StageChart({ summary, window }: { summary: StageSummary; window: MetricWindow }) {
  const bars = toStageBars(summary.stages);
  const modes = [...new Set(summary.stages.map((s) => s.mode))];
  // Stage names are long: on a phone the axis takes less room and the bars more.
  const narrow = useMediaQuery("(max-width: 480px)");
  return (
    <ChartFigure
      summary={describeStages(bars, window)}
      height={bars.length === 0 ? 0 : Math.max(120, bars.length * 44 + 48)}
      caption={
        <>
          The stages the reply waits for, p50 light and p95 dark. {modes.map(describeMode).join("; ")}. Share is the stage&apos;s part of all visitors&apos;
          waiting time; parallel stages overlap, so shares can add up to more than 100 %.
        </>
      }
      tableOpen
      table={<StageTable stages={summary.stages} label="Stage durations" testId="stages-table" showP50 />}
    >
      {bars.length > 0 && (
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height: 240 }}>
          <BarChart data={bars} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 8 }} accessibilityLayer={false} barGap={2}>
            <CartesianGrid stroke={SERIES.grid} horizontal={false} />
            <XAxis type="number" tickFormatter={(ms: number) => formatMs(ms)} stroke={SERIES.axis} fontSize={12} />
            <YAxis type="category" dataKey="label" width={narrow ? 112 : 190} stroke={SERIES.axis} fontSize={narrow ? 10 : 12} interval={0} />
            <Tooltip formatter={(ms) => formatMs(typeof ms === "number" ? ms : null)} />
            <Legend wrapperStyle={{ fontSize: 13 }} />
            <Bar dataKey="p50" name="p50" fill={SERIES.p50} isAnimationActive={false} />
            <Bar dataKey="p95" name="p95" fill={SERIES.p95} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      )}
    </ChartFigure>
  );
}
