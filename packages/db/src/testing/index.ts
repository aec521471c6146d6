import { randomBytes } from "node:crypto";

import postgres from "postgres";
import { inject } from "vitest";

import { createDatabase } from "../client";
import { withDatabase } from "./cluster";
import "./provided";

export { freePort } from "./cluster";

/**
 * A database of this test file's own: a copy of the migrated template, or
 * (`empty: true`) a blank one. Drop it in afterAll.
 */
export async function createTestDatabase(options: { empty?: boolean } = {}) {
  const adminUrl = inject("testPgAdminUrl");
  const template = inject("testPgTemplate");
  const name = `leadline_t_${process.ppid}_${randomBytes(5).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await admin.unsafe(options.empty ? `create database ${name}` : `create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const handle = createDatabase(url, { max: 5 });
  return {
    ...handle,
    url,
    name,
    async drop() {
      await handle.close();
      const sql = postgres(adminUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
}

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;
