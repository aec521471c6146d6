import type { Metadata } from "next";

import { EmptyPage } from "../../components/empty-page";

export const metadata: Metadata = { title: "Dashboard" };

export default function DashboardPage() {
  return <EmptyPage title="Dashboard">Response time stage by stage, cost and leads at a glance, cohort by cohort.</EmptyPage>;
}
