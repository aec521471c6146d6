import type { Metadata } from "next";

import { isReportDay } from "../../../../reports/format";
import { ReportPage } from "../../../../reports/report-page";

type Props = { params: Promise<{ day: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { day } = await params;
  return { title: isReportDay(day) ? `Report ${day}` : "Report" };
}

export default async function Page({ params }: Props) {
  const { day } = await params;
  return <ReportPage day={isReportDay(day) ? day : null} />;
}
