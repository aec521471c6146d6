import type { Metadata } from "next";

import { EmptyPage } from "../../../components/empty-page";

export const metadata: Metadata = { title: "Leads" };

export default function LeadsPage() {
  return <EmptyPage title="Leads">The leads the widget captured, with their score, status and contact details.</EmptyPage>;
}
