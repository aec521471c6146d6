import { createTestDatabase, type TestDatabase } from "@leadline/db/testing";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { eachJob, workInBatches } from "./batch-work";
import { ensureQueue } from "./queue";

let database: TestDatabase;
let boss: PgBoss;
beforeAll(async () => {
  database = await createTestDatabase();
  boss = new PgBoss({ connectionString: database.url, schema: "pgboss", max: 4 });
  boss.on("error", () => {});
  await boss.start();
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await database?.drop();
});

const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe("workInBatches", () => {
  it("runs a batch's jobs together; a job that throws is failed and retried alone, the rest complete once", async () => {
    const queue = "batch-test";
    await ensureQueue(boss, queue, { retryLimit: 1, retryDelay: 1 });
    const ids = await Promise.all(Array.from({ length: 8 }, (_, n) => boss.send(queue, { n })));
    const runs = new Map<number, number>();
    let running = 0;
    let mostAtOnce = 0;
    const workers = workInBatches<{ n: number }>(boss, queue, { concurrency: 8, idlePollMs: 500, gatherMs: 20 }, eachJob(async (job) => {
      runs.set(job.data.n, (runs.get(job.data.n) ?? 0) + 1);
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((r) => setTimeout(r, 300));
      running -= 1;
      if (job.data.n === 3 && job.retryCount === 0) throw new Error("job 3 fails its first attempt");
    }));
    try {
      await until(async () => (await Promise.all(ids.map((id) => boss.getJobById(queue, id!)))).every((j) => j?.state === "completed"));
    } finally {
      await workers.stop(5_000);
    }
    // Eight jobs of 300 ms, claimed together: they overlap.
    expect(mostAtOnce).toBeGreaterThan(4);
    // Job 3 ran twice (its retry); its batch-mates were not failed with it, so each ran once.
    expect(Object.fromEntries(runs)).toEqual({ 0: 1, 1: 1, 2: 1, 3: 2, 4: 1, 5: 1, 6: 1, 7: 1 });
    const third = await boss.getJobById(queue, ids[3]!);
    expect(third?.retryCount).toBe(1);
  });

  it("stopping waits for the jobs under way, and takes no new ones", async () => {
    const queue = "batch-stop-test";
    await ensureQueue(boss, queue, { retryLimit: 1, retryDelay: 1 });
    const first = await boss.send(queue, { n: 1 });
    let started = false;
    let finished = false;
    const workers = workInBatches<{ n: number }>(boss, queue, { concurrency: 2, idlePollMs: 500, gatherMs: 20 }, async (jobs) => {
      started = true;
      await new Promise((r) => setTimeout(r, 700));
      finished = true;
      return jobs.map(() => null);
    });
    await until(() => started);
    await workers.stop(10_000);
    // The job under way ran to its end before stop() returned: a pool closed after it cuts nothing short.
    expect(finished).toBe(true);
    await until(async () => (await boss.getJobById(queue, first!))?.state === "completed");
    // Nothing fetches any more.
    const later = await boss.send(queue, { n: 2 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await boss.getJobById(queue, later!))?.state).toBe("created");
  });

  it("jobs waiting together are claimed in one batch and completed in one statement", async () => {
    const queue = "batch-claim-test";
    await ensureQueue(boss, queue, { retryLimit: 0 });
    await boss.insert(Array.from({ length: 6 }, (_, n) => ({ name: queue, data: { n } })));
    const batches: number[][] = [];
    const completions: string[][] = [];
    const complete = boss.complete.bind(boss);
    const spy = Object.assign(Object.create(boss) as PgBoss, {
      complete: (name: string, ids: string[]) => {
        completions.push(ids);
        return complete(name, ids);
      },
    });
    const workers = workInBatches<{ n: number }>(spy, queue, { concurrency: 16, idlePollMs: 200, gatherMs: 20 }, async (jobs) => {
      batches.push(jobs.map((job) => job.data.n));
      return jobs.map(() => null);
    });
    try {
      await until(() => completions.flat().length === 6);
    } finally {
      await workers.stop(5_000);
    }
    expect(batches).toHaveLength(1);
    expect(batches[0]!.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(completions).toHaveLength(1);
  });

  it("an idle queue is not polled for long, yet a wake-up has its new job claimed at once", async () => {
    const queue = "batch-wake-test";
    await ensureQueue(boss, queue, { retryLimit: 0 });
    let fetches = 0;
    const fetch = boss.fetch.bind(boss) as PgBoss["fetch"];
    const spy = Object.assign(Object.create(boss) as PgBoss, {
      fetch: (...args: Parameters<PgBoss["fetch"]>) => {
        fetches += 1;
        return fetch(...args);
      },
    });
    const done: number[] = [];
    const workers = workInBatches<{ n: number }>(spy, queue, { concurrency: 4, idlePollMs: 60_000, gatherMs: 10 }, async (jobs) => {
      done.push(...jobs.map((job) => job.data.n));
      return jobs.map(() => null);
    });
    try {
      await until(() => fetches === 1); // the first look, at start
      await new Promise((r) => setTimeout(r, 1_000));
      expect(fetches).toBe(1); // idle: no polling within the minute
      await boss.send(queue, { n: 7 });
      workers.wake();
      await until(() => done.includes(7), 5_000); // far sooner than the next poll
    } finally {
      await workers.stop(5_000);
    }
  });

  it("a failed job is looked for again when its retry comes due, not at the next poll", async () => {
    const queue = "batch-retry-test";
    await ensureQueue(boss, queue, { retryLimit: 1, retryDelay: 1 });
    const id = await boss.send(queue, { n: 1 });
    let attempts = 0;
    const workers = workInBatches<{ n: number }>(boss, queue, { concurrency: 2, idlePollMs: 60_000, gatherMs: 10 }, async (jobs) => {
      attempts += 1;
      return jobs.map((job) => (job.retryCount === 0 ? new Error("first attempt fails") : null));
    });
    try {
      await until(async () => (await boss.getJobById(queue, id!))?.state === "completed", 10_000);
    } finally {
      await workers.stop(5_000);
    }
    expect(attempts).toBe(2);
  });
});

