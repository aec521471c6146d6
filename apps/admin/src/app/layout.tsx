import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";

import { ApiProvider } from "../api/api-provider";
import { env } from "../env";

import "./globals.css";

// The API URL is read per request, so changing it needs a restart, not a rebuild.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Leadline admin", template: "%s · Leadline admin" },
  description: "Watch latency, leads and conversations; roll out pipeline optimizations.",
  robots: { index: false, follow: false },
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <ApiProvider apiUrl={env.API_URL}>{children}</ApiProvider>
      </body>
    </html>
  );
}
