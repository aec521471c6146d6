#!/usr/bin/env node
// Installs what the test suite needs from outside npm: Debian's Chromium for
// the browser tests (playwright-core drives it; no browser download exists
// here). Runs before `pnpm test`; does nothing when Chromium is already there.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";

if (!existsSync(CHROMIUM)) {
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? [] : ["sudo", "-n"];
  const run = (args) => execFileSync(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  console.log("Installing Chromium for the browser tests (apt-get install chromium)…");
  try {
    run(["apt-get", "update", "-qq"]);
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"]);
  } catch {
    console.error(`Could not install Chromium. Install it yourself (as root: apt-get install -y chromium), then run pnpm test again.`);
    process.exit(1);
  }
}
