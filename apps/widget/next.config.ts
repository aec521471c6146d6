import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages ship TypeScript source; only the router's type and the validators reach this app.
  transpilePackages: ["@leadline/api", "@leadline/validators"],
  poweredByHeader: false,
  async headers() {
    return [
      {
        // Customers paste one tag that never changes: keep it cacheable, but short enough that fixes reach them.
        source: "/loader.js",
        headers: [{ key: "Cache-Control", value: "public, max-age=300, stale-while-revalidate=86400" }],
      },
    ];
  },
};

export default config;
