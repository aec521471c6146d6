import type { Metadata } from "next";

import { env } from "../../../../env";
import { SitePage } from "../../../../sites/site-page";

export const metadata: Metadata = { title: "Site" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SitePage id={id} widgetUrl={env.WIDGET_URL ?? null} />;
}
