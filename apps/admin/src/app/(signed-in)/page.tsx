import type { Metadata } from "next";

import { DashboardPage } from "../../dashboard/dashboard-page";
import { parseWindow } from "../../dashboard/format";
import { env } from "../../env";
import { demoPageUrl } from "../../shared/widget-url";

export const metadata: Metadata = { title: "Dashboard" };

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { window } = await searchParams;
  return <DashboardPage initialWindow={parseWindow(window)} demoUrl={demoPageUrl(env.WIDGET_URL)} />;
}
