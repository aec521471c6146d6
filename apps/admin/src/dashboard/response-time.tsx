"use client";

import { useQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { useTRPC } from "../api/api-provider";
import type { MetricWindow } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { Panel } from "../components/panel";
import ui from "../components/ui.module.css";
import { formatCount, formatMs, formatRate } from "../shared/format";
import { ChartFigure, SERIES } from "./chart-figure";
import { describeTrend, formatBucket, formatTick, toTrendPoints, windowInfo, type TrendPoint } from "./format";
import { LIVE } from "./live";

const LINES = [
  { key: "p50Total", name: "p50 total", color: SERIES.total, dash: undefined },
  { key: "p95Total", name: "p95 total", color: SERIES.total, dash: "6 4" },
  { key: "p50FirstToken", name: "p50 first token", color: SERIES.firstToken, dash: undefined },
  { key: "p95FirstToken", name: "p95 first token", color: SERIES.firstToken, dash: "6 4" },
] as const;

/** p50 and p95 of the total time and of the time to the first token, bucket by bucket over the window. */
export function ResponseTime({ window }: { window: MetricWindow }) {
  const trpc = useTRPC();
  const { bucket } = windowInfo(window);
  const series = useQuery(trpc.metrics.timeseries.queryOptions({ window, bucket }, LIVE));

  return (
    <Panel title="Response time">
      {series.isPending && <p className={ui.muted}>Loading the trend…</p>}
      {series.isError && <LoadFailure what="the response-time trend" error={series.error} onRetry={() => series.refetch()} />}
      {series.data && <TrendChart points={toTrendPoints(series.data.points)} window={series.data.window} bucket={series.data.bucket} />}
    </Panel>
  );
}

function TrendChart({ points, window, bucket }: { points: TrendPoint[]; window: MetricWindow; bucket: "1m" | "1h" }) {
  const busy = points.filter((p) => p.count > 0);
  const unit = bucket === "1m" ? "minute" : "hour";
  return (
    <ChartFigure
      summary={describeTrend(points, window, bucket)}
      height={280}
      caption={
        <>
          Per {unit}, solid lines p50, dashed lines p95; blue is the whole reply, amber the wait for its first token. A gap is a {unit} without
          messages.
        </>
      }
      table={
        <div className={ui.tableWrap} role="region" aria-label="Response time per bucket" tabIndex={0}>
          <table className={ui.table} data-testid="response-time-table">
            <caption>
              {busy.length} {unit}
              {busy.length === 1 ? "" : "s"} with messages{busy.length < points.length ? `; ${points.length - busy.length} without are left out` : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">{unit === "minute" ? "Minute" : "Hour"}</th>
                <th scope="col" className={ui.num}>
                  Messages
                </th>
                <th scope="col" className={ui.num}>
                  p50 total
                </th>
                <th scope="col" className={ui.num}>
                  p95 total
                </th>
                <th scope="col" className={ui.num}>
                  p50 first token
                </th>
                <th scope="col" className={ui.num}>
                  p95 first token
                </th>
                <th scope="col" className={ui.num}>
                  Errors
                </th>
              </tr>
            </thead>
            <tbody>
              {busy.map((p) => (
                <tr key={p.at}>
                  <th scope="row">{formatBucket(p.at)}</th>
                  <td className={ui.num}>{formatCount(p.count)}</td>
                  <td className={ui.num}>{formatMs(p.p50Total)}</td>
                  <td className={ui.num}>{formatMs(p.p95Total)}</td>
                  <td className={ui.num}>{formatMs(p.p50FirstToken)}</td>
                  <td className={ui.num}>{formatMs(p.p95FirstToken)}</td>
                  <td className={ui.num}>{formatRate(p.errorRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      }
    >
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height: 280 }}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 8 }} accessibilityLayer={false}>
          <CartesianGrid stroke={SERIES.grid} vertical={false} />
          <XAxis
            dataKey="at"
            type="number"
            scale="time"
            domain={["dataMin", "dataMax"]}
            tickFormatter={(at: number) => formatTick(at, window)}
            stroke={SERIES.axis}
            fontSize={12}
            minTickGap={24}
          />
          <YAxis tickFormatter={(ms: number) => formatMs(ms)} stroke={SERIES.axis} fontSize={12} width={64} />
          <Tooltip labelFormatter={(at) => formatBucket(Number(at))} formatter={(ms) => formatMs(typeof ms === "number" ? ms : null)} />
          <Legend wrapperStyle={{ fontSize: 13 }} />
          {LINES.map((line) => (
            <Line
              key={line.key}
              dataKey={line.key}
              name={line.name}
              stroke={line.color}
              strokeDasharray={line.dash}
              strokeWidth={2}
              dot={busy.length < 3}
              connectNulls={false}
              isAnimationActive={false}
              type="monotone"
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
