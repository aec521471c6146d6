import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";

import "./globals.css";

// Every page is rendered per request so Next can put the request's CSP nonce on its scripts (see proxy.ts).
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Leadline widget",
  description: "An embeddable AI chat that qualifies sales leads.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
