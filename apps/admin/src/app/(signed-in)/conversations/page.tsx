import type { Metadata } from "next";

import { EmptyPage } from "../../../components/empty-page";

export const metadata: Metadata = { title: "Conversations" };

export default function ConversationsPage() {
  return <EmptyPage title="Conversations">Every chat with visitors, message by message, with its timings and cost.</EmptyPage>;
}
