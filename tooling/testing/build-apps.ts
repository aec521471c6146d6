import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

// Every project that lists this file shares one build per run (globalSetup runs in the Vitest main process).
const shared = globalThis as typeof globalThis & { __leadlineAppsBuilt?: Promise<unknown> };

/** Builds the Next apps the browser tests serve; turbo skips the build when nothing changed. */
export default async function setup() {
  shared.__leadlineAppsBuilt ??= promisify(execFile)(
    process.execPath,
    [resolve(repoRoot, "node_modules/turbo/bin/turbo"), "run", "build", "--filter=@leadline/widget", "--filter=@leadline/admin", "--output-logs=errors-only"],
    { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`building the Next apps for the browser tests failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  });
  await shared.__leadlineAppsBuilt;
}
