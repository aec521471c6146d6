"use client";

import { skipToken, useQuery } from "@tanstack/react-query";
import Link from "next/link";

import { useTRPC } from "../api/api-provider";
import { codeOf } from "../api/errors";
import type { Report } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import ui from "../components/ui.module.css";
import { formatDateTime } from "../shared/format";
import { canGenerateReportFor, formatDay } from "./format";
import { GenerateReportButton } from "./generate-report-button";
import { ReportBody } from "./report-body";
import { ReportStatusBadge } from "./report-status-badge";

/** One day's report in full. `day` is null when the address holds no real day. */
export function ReportPage({ day }: { day: string | null }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const report = useQuery(trpc.reports.get.queryOptions(day ? { day } : skipToken));
  const missing = day === null || (report.isError && ["NOT_FOUND", "BAD_REQUEST"].includes(codeOf(report.error) ?? ""));
  const isAdmin = me.data?.role === "admin";
  // A real day with no report yet, within what the API lets an admin generate: offer to generate it.
  const canGenerateMissing = isAdmin && day !== null && codeOf(report.error) === "NOT_FOUND" && canGenerateReportFor(day, Date.now());

  return (
    <>
      <Link href="/reports" className={ui.back}>
        ← All reports
      </Link>
      {missing ? (
        <>
          <h1 className={ui.title}>No report for {day ? formatDay(day) : "this day"}</h1>
          <p>
            {day
              ? "No report was generated for that day. Each day's report is written shortly after midnight UTC, once the day is over."
              : "The link is incomplete: a report's address ends with its day, as YYYY-MM-DD."}
          </p>
          {canGenerateMissing && day && <GenerateReportButton day={day}>Generate this day&apos;s report</GenerateReportButton>}
        </>
      ) : (
        <>
          {report.isPending && <p>Loading the report…</p>}
          {report.isError && <LoadFailure what="the report" error={report.error} onRetry={() => report.refetch()} />}
          {report.data && <ReportDetails report={report.data} canUpdate={isAdmin && !report.data.body.complete} />}
        </>
      )}
    </>
  );
}

function ReportDetails({ report, canUpdate }: { report: Report; canUpdate: boolean }) {
  return (
    <>
      <div className={ui.top}>
        <div>
          <h1 className={ui.title}>Report for {formatDay(report.day)}</h1>
          <p className={ui.muted} data-testid="report-generated">
            <ReportStatusBadge complete={report.body.complete} /> Generated <time dateTime={report.generatedAt}>{formatDateTime(report.generatedAt)}</time>
            {report.body.complete ? ", after the day ended (UTC)." : ", before the day ended (UTC): these are its numbers so far."}
          </p>
        </div>
        {canUpdate && <GenerateReportButton day={report.day}>Update to now</GenerateReportButton>}
      </div>
      <ReportBody body={report.body} />
    </>
  );
}
