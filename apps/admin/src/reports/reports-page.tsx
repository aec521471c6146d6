"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId } from "react";

import { useTRPC } from "../api/api-provider";
import type { ReportSummary } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import ui from "../components/ui.module.css";
import { formatCount, formatMs, formatRate, formatUsd } from "../shared/format";
import { formatDay } from "./format";
import { GenerateReportButton } from "./generate-report-button";
import { ReportStatusBadge } from "./report-status-badge";

/** The last 60 days' reports, newest first: the headline numbers of each, and a link to the whole report. */
export function ReportsPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  // Reports are written once a day (or on an admin's request): no need to ask every few seconds.
  const reports = useQuery(trpc.reports.list.queryOptions({ limit: 60 }, { refetchInterval: 60_000 }));
  const isAdmin = me.data?.role === "admin";
  const emptyTitleId = useId();

  return (
    <>
      <div className={ui.top}>
        <div>
          <h1 className={ui.title}>Reports</h1>
          <p className={ui.intro}>
            One report per day (UTC): response times, errors, the slowest stages, caches, cost, leads, ratings and alerts. A report marked &ldquo;so
            far&rdquo; was generated before its day ended.
          </p>
        </div>
        {isAdmin && <GenerateReportButton>Generate today&apos;s report</GenerateReportButton>}
      </div>

      {reports.isPending && <p>Loading reports…</p>}
      {reports.isError && <LoadFailure what="the reports" error={reports.error} onRetry={() => reports.refetch()} />}
      {reports.data &&
        (reports.data.items.length === 0 ? (
          <section className={ui.empty} aria-labelledby={emptyTitleId} data-testid="no-reports">
            <h2 id={emptyTitleId} className={ui.emptyTitle}>
              No reports yet
            </h2>
            <p>A report is generated each day shortly after midnight UTC, for the previous day.</p>
            <p>
              {isAdmin
                ? "You need not wait: \"Generate today's report\" above writes today's report so far, and you can generate it again later in the day."
                : "An admin can also generate today's report so far at any time."}
            </p>
          </section>
        ) : (
          <ReportsTable reports={reports.data.items} />
        ))}
    </>
  );
}

function ReportsTable({ reports }: { reports: ReportSummary[] }) {
  return (
    <section className={ui.panel} aria-label="Reports">
      <div className={ui.tableWrap} role="region" aria-label="Reports table" tabIndex={0}>
        <table className={ui.table} data-testid="reports-table">
          <caption>
            {formatCount(reports.length)} {reports.length === 1 ? "report" : "reports"}, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Status</th>
              <th scope="col" className={ui.num}>
                Messages
              </th>
              <th scope="col" className={ui.num}>
                p95 total
              </th>
              <th scope="col" className={ui.num}>
                Error rate
              </th>
              <th scope="col" className={ui.num}>
                Cost
              </th>
              <th scope="col" className={ui.num}>
                Alerts opened
              </th>
            </tr>
          </thead>
          <tbody>
            {reports.map((report) => (
              <tr key={report.id}>
                <th scope="row">
                  <Link href={`/reports/${report.day}`}>{formatDay(report.day)}</Link>
                </th>
                <td>
                  <ReportStatusBadge complete={report.complete} />
                </td>
                <td className={ui.num}>{formatCount(report.messages)}</td>
                <td className={ui.num}>{formatMs(report.p95TotalMs)}</td>
                <td className={ui.num}>{formatRate(report.errorRate)}</td>
                <td className={ui.num}>{formatUsd(report.costUsd)}</td>
                <td className={ui.num}>{formatCount(report.alertsOpened)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
