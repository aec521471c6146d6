import type { Metadata } from "next";

import { EmptyPage } from "../../../components/empty-page";

export const metadata: Metadata = { title: "Alerts" };

export default function AlertsPage() {
  return <EmptyPage title="Alerts">Alerts raised by the rollout guard and the latency and error rules, open and resolved.</EmptyPage>;
}
