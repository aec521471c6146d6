import type { TestProject } from "vitest/node";

import { startTestCluster, type TestCluster } from "./cluster";

import "./provided";

// Every project that lists this file runs it in the one Vitest main process;
// the cluster is kept on globalThis so the whole run shares one Postgres.
const shared = globalThis as typeof globalThis & { __leadlinePg?: Promise<TestCluster>; __leadlinePgUsers?: number };

export default async function setup(project: TestProject) {
  shared.__leadlinePg ??= startTestCluster();
  shared.__leadlinePgUsers = (shared.__leadlinePgUsers ?? 0) + 1;
  const cluster = await shared.__leadlinePg;
  project.provide("testPgAdminUrl", cluster.adminUrl);
  project.provide("testPgTemplate", cluster.template);
  return async () => {
    shared.__leadlinePgUsers = (shared.__leadlinePgUsers ?? 1) - 1;
    if (shared.__leadlinePgUsers === 0) {
      shared.__leadlinePg = undefined;
      await cluster.stop();
    }
  };
}
