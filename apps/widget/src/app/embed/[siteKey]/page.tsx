import { siteKey as siteKeySchema } from "@leadline/validators/chat";
import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { ChatApp } from "../../../components/chat-app";
import { env } from "../../../env";

// The API URL is read per request, so changing it needs a restart, not a rebuild.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Chat", robots: { index: false, follow: false } };

export default async function EmbedPage({ params }: { params: Promise<{ siteKey: string }> }) {
  const parsed = siteKeySchema.safeParse((await params).siteKey);
  if (!parsed.success) notFound();
  return <ChatApp siteKey={parsed.data} apiUrl={env.API_URL} />;
}
