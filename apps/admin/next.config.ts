import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages ship TypeScript source; only the router's type reaches this app.
  transpilePackages: ["@leadline/api"],
  poweredByHeader: false,
  async headers() {
    return [
      {
        // The same for every response; the CSP, which names the API's origin, is set per request in src/proxy.ts.
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          // No page may frame the admin app (clickjacking); frame-ancestors says so too, this is for older browsers.
          { key: "X-Frame-Options", value: "DENY" },
          // Admin URLs name leads and conversations: other sites get no referrer at all.
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default config;
