import type PgBoss from "pg-boss";

export type BatchOptions = {
  /** Jobs of this queue under way at once in this process. */
  concurrency: number;
  /**
   * How often an idle queue is claimed from when nothing woke it: the fallback for jobs nobody announced (retries
   * coming due, other processes' jobs). Null: the loop only claims when woken (someone else looks for such jobs).
   */
  idlePollMs: number | null;
  /** After a wake-up, how long to let jobs gather before claiming them: many jobs then cost one claim, one run of each stage and one completion. */
  gatherMs: number;
  /** A job failed its last attempt (pg-boss moves it to the queue's dead letter queue, if it has one). */
  onExhausted?: () => void;
};

/** What became of each job of a batch, in the batch's order: null done, else the error that fails it (the queue retries it alone). */
export type BatchOutcome = (unknown | null)[];

/**
 * Claims the jobs of one queue in batches and hands each batch to
 * `handle` at once. One loop per queue: it claims as many jobs as there is
 * room for in one statement, completes those that succeeded in one
 * statement and fails the others one by one (pg-boss retries each with
 * backoff). An idle queue costs nothing but a slow fallback poll, or none
 * when the caller looks for unannounced work itself: new work wakes the loop
 * (wake(), from a producer in this process, a Postgres NOTIFY from another
 * one, or that look), and the loop then waits gatherMs so that work
 * arriving together is claimed together.
 */
export function workInBatches<T extends object>(boss: PgBoss, name: string, options: BatchOptions, handle: (jobs: PgBoss.JobWithMetadata<T>[]) => Promise<BatchOutcome>) {
  let stopping = false;
  let underWay = 0;
  /** Batches being worked on: stopping waits for them. */
  const running = new Set<Promise<void>>();
  /** Set by wake(): work may be waiting that the last claim did not see. */
  let woken = false;
  let interrupt: (() => void) | null = null;

  const pause = (ms: number | null) =>
    new Promise<void>((resolve) => {
      if (woken || stopping) return resolve();
      const timer = ms === null ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interrupt = null;
        resolve();
      }
      interrupt = done;
    });
  const wake = () => {
    woken = true;
    interrupt?.();
  };

  async function runBatch(jobs: PgBoss.JobWithMetadata<T>[]) {
    let outcome: BatchOutcome;
    try {
      outcome = await handle(jobs);
    } catch (error) {
      outcome = jobs.map(() => error);
    }
    const done = jobs.filter((_, i) => outcome[i] == null).map((job) => job.id);
    const failed = jobs.filter((_, i) => outcome[i] != null);
    await Promise.all([done.length ? boss.complete(name, done) : undefined, ...failed.map((job) => boss.fail(name, job.id, failureOf(outcome[jobs.indexOf(job)])))]);
    // Nobody announces a retry coming due: look again when it has (the poll is only the fallback).
    for (const delay of new Set(failed.filter((job) => job.retryCount < job.retryLimit).map(retryDelayMs))) setTimeout(wake, delay).unref();
    if (failed.some((job) => job.retryCount >= job.retryLimit)) options.onExhausted?.();
  }

  const loop = (async () => {
    while (!stopping) {
      if (underWay >= options.concurrency) {
        woken = false;
        await pause(options.idlePollMs); // a batch that finishes wakes it
        continue;
      }
      woken = false;
      const room = options.concurrency - underWay;
      const jobs = await boss.fetch<T>(name, { batchSize: room, includeMetadata: true }).catch(() => [] as PgBoss.JobWithMetadata<T>[]);
      // A full claim means more may be waiting: claim again as soon as there is room.
      const backlog = jobs.length === room;
      if (jobs.length) {
        underWay += jobs.length;
        const batch: Promise<void> = runBatch(jobs)
          .catch(() => {}) // a failed completion leaves the jobs active: they expire and are retried
          .finally(() => {
            const wasFull = underWay >= options.concurrency;
            underWay -= jobs.length;
            running.delete(batch);
            if (wasFull || backlog) wake();
          });
        running.add(batch);
      }
      if (backlog) continue;
      await pause(options.idlePollMs);
      if (woken && !stopping) await new Promise((resolve) => setTimeout(resolve, options.gatherMs));
    }
  })();

  return {
    /** New work for this queue: claim it soon (after gatherMs), not at the next poll. */
    wake,
    /** Stops claiming, then waits (up to timeoutMs) for the batches already claimed to finish. */
    async stop(timeoutMs: number) {
      stopping = true;
      interrupt?.();
      await loop;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.allSettled([...running]), timeout]);
      clearTimeout(timer);
    },
  };
}

/** A batch handler that runs `handle` for each job on its own, all at once. */
export function eachJob<T extends object>(handle: (job: PgBoss.JobWithMetadata<T>) => Promise<void>) {
  return async (jobs: PgBoss.JobWithMetadata<T>[]): Promise<BatchOutcome> => {
    const results = await Promise.allSettled(jobs.map(handle));
    return results.map((result) => (result.status === "rejected" ? (result.reason ?? new Error("job failed")) : null));
  };
}

/** When pg-boss makes a failed job available again, at the latest: with backoff it picks a time between d·2^n and d·2^(n+1) seconds. */
function retryDelayMs(job: PgBoss.JobWithMetadata<object>): number {
  const seconds = job.retryBackoff ? job.retryDelay * 2 ** Math.min(16, job.retryCount + 1) : job.retryDelay;
  return seconds * 1000 + 100;
}

/** What pg-boss keeps as a failed job's output. */
function failureOf(error: unknown): object {
  return error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
}
