import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages ship TypeScript source; only the router's type reaches this app.
  transpilePackages: ["@leadline/api"],
  poweredByHeader: false,
};

export default config;
