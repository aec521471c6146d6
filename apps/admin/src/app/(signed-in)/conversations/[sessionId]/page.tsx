import type { Metadata } from "next";

import { ConversationPage } from "../../../../conversations/conversation-page";

export const metadata: Metadata = { title: "Conversation" };

export default async function Page({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  return <ConversationPage sessionId={sessionId} />;
}
