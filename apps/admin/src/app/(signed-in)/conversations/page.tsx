import type { Metadata } from "next";

import { ConversationsPage } from "../../../conversations/conversations-page";
import { env } from "../../../env";
import { demoPageUrl } from "../../../shared/widget-url";

export const metadata: Metadata = { title: "Conversations" };

export default function Page() {
  return <ConversationsPage demoUrl={demoPageUrl(env.WIDGET_URL)} />;
}
