import type { Metadata } from "next";

import { env } from "../../../env";
import { parseStatus } from "../../../leads/format";
import { LeadsPage } from "../../../leads/leads-page";
import { demoPageUrl } from "../../../shared/widget-url";

export const metadata: Metadata = { title: "Leads" };

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { status } = await searchParams;
  return <LeadsPage initialStatus={parseStatus(status)} demoUrl={demoPageUrl(env.WIDGET_URL)} />;
}
