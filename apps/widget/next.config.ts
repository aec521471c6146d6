import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages ship TypeScript source; only the router's type and the validators reach this app.
  transpilePackages: ["@leadline/api", "@leadline/validators"],
  poweredByHeader: false,
  async headers() {
    return [
      {
        // The same for every response; the CSP is set per request in src/proxy.ts.
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          // Not no-referrer: a same-origin POST would then carry `Origin: null`, and the loader's check reads the Origin.
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
        ],
      },
      {
        // Customers paste one tag that never changes: keep it cacheable, but short enough that fixes reach them.
        source: "/loader.js",
        headers: [{ key: "Cache-Control", value: "public, max-age=300, stale-while-revalidate=86400" }],
      },
    ];
  },
};

export default config;
