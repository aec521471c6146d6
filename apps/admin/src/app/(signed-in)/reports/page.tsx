import type { Metadata } from "next";

import { EmptyPage } from "../../../components/empty-page";

export const metadata: Metadata = { title: "Reports" };

export default function ReportsPage() {
  return <EmptyPage title="Reports">Daily reports of latency, cost and leads, to read here or receive by email.</EmptyPage>;
}
