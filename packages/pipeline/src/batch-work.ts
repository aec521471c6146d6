import type PgBoss from "pg-boss";

/** Fetch loops per queue; each takes up to concurrency / PUMPS jobs per fetch. */
const PUMPS = 4;

/**
 * Runs `handle` for the jobs of one queue, `concurrency` at a time. A few
 * fetch loops ("pumps") each take a batch of jobs in one statement, run them
 * together and complete them in one statement: a job costs the queue a
 * fraction of a fetch and of a completion instead of one each, and the queue
 * is polled PUMPS times per interval rather than once per unit of
 * concurrency. A job that throws is failed on its own (pg-boss retries it
 * with backoff); the others of its batch complete.
 *
 * pg-boss v10 waits out the polling interval after each fetch loop unless
 * notify() wakes it, so the interval stays at its minimum.
 */
export async function workInBatches<T extends object>(boss: PgBoss, name: string, concurrency: number, handle: (job: PgBoss.JobWithMetadata<T>) => Promise<void>) {
  const pumps = Math.max(1, Math.min(PUMPS, concurrency));
  const ids: string[] = [];
  /** Batches being worked on: stopping waits for them (pg-boss's offWork does not). */
  const running = new Set<Promise<unknown>>();
  for (let i = 0; i < pumps; i += 1) {
    // Spread concurrency over the pumps: 16 → 4 × 4, 6 → 2 + 2 + 1 + 1.
    const batchSize = Math.floor(concurrency / pumps) + (i < concurrency % pumps ? 1 : 0);
    const options = { batchSize, pollingIntervalSeconds: 0.5, includeMetadata: true } as const;
    ids.push(
      await boss.work<T>(name, options, async (jobs) => {
        const batch = (async () => {
          const results = await Promise.allSettled(jobs.map(handle));
          // Only the failed ones: pg-boss completes the rest (its completion skips jobs no longer active).
          await Promise.all(
            results.map((result, index) => (result.status === "rejected" ? boss.fail(name, jobs[index]!.id, failureOf(result.reason)) : undefined)),
          );
        })();
        running.add(batch);
        try {
          await batch;
        } finally {
          running.delete(batch);
        }
      }),
    );
  }
  return {
    ids,
    /** Stops fetching, then waits (up to timeoutMs) for the batches already fetched to finish. */
    async stop(timeoutMs: number) {
      await Promise.all(ids.map((id) => boss.offWork({ id } as PgBoss.OffWorkOptions).catch(() => {})));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.allSettled([...running]), timeout]);
      clearTimeout(timer);
    },
  };
}

/** What pg-boss keeps as a failed job's output. */
function failureOf(error: unknown): object {
  return error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
}
