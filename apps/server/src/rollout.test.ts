import { ensureDatabase } from "@leadline/db/client";
import { requestTimings } from "@leadline/db/schema";
import { freePort } from "@leadline/db/testing";
import { runGuardOnce } from "@leadline/flags/guard";
import { TEST_ADMIN_TOKEN, TEST_BACKEND_TOKEN } from "@leadline/flags/testing";
import "@leadline/flags/testing/provided";
import { createUnleashAdmin } from "@leadline/flags/unleash-admin";
import { provisionFlags } from "@leadline/flags/provision";
import { startUnleashServer } from "@leadline/flags/unleash-server";
import { STAGES } from "@leadline/pipeline/registry";
import { testStage } from "@leadline/pipeline/testing";
import { desc, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestStack, type TestStack } from "./testing";

const FLAG = "pipeline.parallel-stages";

/** A regression that only the flag's cohort suffers: an inline stage that is slow when the flag is on. */
const slowWhenFlagged = testStage({
  name: "slow-when-flagged",
  flag: FLAG,
  modes: ["inline"],
  timeoutMs: 5_000,
  async run(ctx) {
    if (ctx.facts.flags[FLAG]) await new Promise((r) => setTimeout(r, 400));
  },
});

let unleash: Awaited<ReturnType<typeof startUnleashServer>>;
let admin: ReturnType<typeof createUnleashAdmin>;
let stack: TestStack;

// An Unleash of this file's own: the outage test stops it.
beforeAll(async () => {
  const database = await ensureDatabase(inject("testPgAdminUrl"), `leadline_unleash_rollout_${process.pid}`);
  unleash = await startUnleashServer({ databaseUrl: database, port: await freePort(), adminToken: TEST_ADMIN_TOKEN, backendToken: TEST_BACKEND_TOKEN, adminPassword: "unleash-test-Pass1", log: { info() {}, warn() {} } });
  admin = createUnleashAdmin({ url: unleash.url, token: TEST_ADMIN_TOKEN });
  await provisionFlags(admin);
  await admin.setRollout(FLAG, 50);
  stack = await startTestStack({
    unleash: { url: unleash.url, clientToken: TEST_BACKEND_TOKEN },
    env: { UNLEASH_REFRESH_MS: "300" },
    stages: [...STAGES, slowWhenFlagged],
  });
});
afterAll(async () => {
  await stack?.stop();
  await unleash?.stop();
});

/** n conversations of one message each, eight at a time, through the real server. */
async function chat(n: number) {
  const one = async () => {
    const { sessionToken } = await stack.client().chat.startSession.mutate({ siteKey: "demo" });
    const events = await stack.client().chat.send.mutate({ sessionToken, clientMessageId: `m-${crypto.randomUUID()}`, text: "What does it cost?" });
    let done = false;
    for await (const event of events) if (event.type === "done") done = true;
    return done;
  };
  const results: boolean[] = [];
  for (let i = 0; i < n; i += 8) results.push(...(await Promise.all(Array.from({ length: Math.min(8, n - i) }, one))));
  return results;
}

describe("rollout with real traffic", () => {
  it("the flag's cohort gets slower → the guard steps the rollout down from 50 to 10 %", async () => {
    expect((await chat(120)).every(Boolean)).toBe(true);
    await expect.poll(() => stack.database.db.$count(requestTimings), { timeout: 10_000 }).toBe(120);
    const cohorts = await stack.database.db.execute<{ on: boolean; n: number }>(sql`select (flags ->> ${FLAG})::boolean as on, count(*)::int as n from request_timings group by 1`);
    // About half the sessions got the flag (sticky on each session's id).
    expect(cohorts.every((c) => c.n >= 30)).toBe(true);

    const decisions = await runGuardOnce(stack.database.db, admin, { windowMinutes: 15, minSamples: 30, latencyRatio: 1.2, latencyMarginMs: 50, errorRateMargin: 0.02 });
    expect(decisions.find((d) => d.flag === FLAG)).toMatchObject({ action: "rolled back", from: 50, to: 10 });
    expect((await admin.getFlag(FLAG))?.rollout).toBe(10);
  });

  it("Unleash stops mid-run: chats keep flowing on the last known flags, and the server shuts down cleanly", async () => {
    await admin.setEnabled("pipeline.smart-router", false); // unlike the default in code
    await expect
      .poll(async () => {
        await chat(1);
        const [row] = await stack.database.db.select().from(requestTimings).orderBy(desc(requestTimings.createdAt)).limit(1);
        return row?.flags["pipeline.smart-router"];
      }, { timeout: 10_000, interval: 400 })
      .toBe(false);

    await unleash.stop();
    expect((await chat(8)).every(Boolean)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const recent = await stack.database.db.select().from(requestTimings).orderBy(desc(requestTimings.createdAt)).limit(8);
    expect(recent.every((row) => row.flags["pipeline.smart-router"] === false)).toBe(true);

    await stack.stop(); // during the outage
    stack = undefined as unknown as TestStack;
    await new Promise((r) => setTimeout(r, 2_500)); // a crash after shutdown would surface here
  });
});
