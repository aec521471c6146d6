import { freePort } from "@leadline/db/testing/ports";
import postgres from "postgres";
import type { TestProject } from "vitest/node";

import { startUnleashServer } from "../unleash/server";
import "./provided";
import "@leadline/db/testing/provided";

export const TEST_ADMIN_TOKEN = "*:*.leadline-test-admin-token";
export const TEST_BACKEND_TOKEN = "default:development.leadline-test-backend-token";

// One Unleash per test run, shared by every project that lists this file
// (global setups run in the Vitest main process). It needs the Postgres the
// database global setup started, so list that one first.
const shared = globalThis as typeof globalThis & { __leadlineUnleash?: Promise<{ url: string; stop(): Promise<void> }>; __leadlineUnleashUsers?: number };

export default async function setup(project: TestProject) {
  const adminUrl = project.getProvidedContext().testPgAdminUrl;
  shared.__leadlineUnleash ??= (async () => {
    const database = `leadline_unleash_${process.pid}`;
    const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`drop database if exists ${database} with (force)`);
      await sql.unsafe(`create database ${database}`);
    } finally {
      await sql.end();
    }
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const port = await freePort();
    const silent = { info() {}, warn() {} };
    return startUnleashServer({ databaseUrl: url.toString(), port, adminToken: TEST_ADMIN_TOKEN, backendToken: TEST_BACKEND_TOKEN, adminPassword: "unleash-test-Pass1", log: silent });
  })();
  shared.__leadlineUnleashUsers = (shared.__leadlineUnleashUsers ?? 0) + 1;
  const unleash = await shared.__leadlineUnleash;
  project.provide("testUnleashUrl", unleash.url);
  return async () => {
    shared.__leadlineUnleashUsers = (shared.__leadlineUnleashUsers ?? 1) - 1;
    if (shared.__leadlineUnleashUsers === 0) {
      shared.__leadlineUnleash = undefined;
      await unleash.stop();
    }
  };
}
