import postgres from "postgres";

type Log = { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };

export type LeaderLoopOptions = {
  /** The database whose advisory lock elects the leader. */
  url: string;
  /** The lock's key: one per kind of job, below 2^31 (see the pg_locks check). */
  lockKey: number;
  intervalMs: number;
  /** Names the job in log lines. */
  name: string;
  log: Log;
  /** One run of the job; runs never overlap. */
  run: () => Promise<void>;
  /** How long the leadership check may wait for the database before the run counts as failed (default 10 s). */
  checkTimeoutMs?: number;
};

/**
 * Runs a job every intervalMs in exactly one process of the cluster: the one
 * holding a Postgres advisory lock on a connection of its own. If that
 * process dies, its session ends, the lock is freed and another takes over.
 *
 * Leadership is checked again before every run, since a connection the
 * database dropped (an outage, a restart) comes back as a new session
 * without the lock. A failing run, whatever the cause, logs one warning and
 * the loop carries on; while the failures last nothing more is logged, and
 * the first success after them says so.
 */
export function startLeaderLoop(options: LeaderLoopOptions) {
  const { lockKey, log, name } = options;
  const checkTimeoutMs = options.checkTimeoutMs ?? 10_000;
  // max_lifetime: null keeps the session (and its lock) for as long as the connection lives.
  const connect = () =>
    postgres(options.url, { max: 1, connect_timeout: 5, idle_timeout: 0, max_lifetime: null, onnotice: () => {}, connection: { application_name: `leadline-leader-${name}` } });
  let lock = connect();
  let failing = false;
  let current: Promise<void> | null = null;
  let stopped = false;

  async function holdsLock(): Promise<boolean> {
    // CASE evaluates in order: a session that already holds the lock does not take it a second time.
    const check = lock<{ leader: boolean }[]>`
      select case
        when exists (select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and granted and classid = 0 and objid = ${lockKey} and objsubid = 1)
        then true
        else pg_try_advisory_lock(${lockKey})
      end as leader`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the database in ${checkTimeoutMs} ms`)), checkTimeoutMs);
    });
    try {
      const [row] = await Promise.race([check, timeout]);
      return Boolean(row?.leader);
    } catch (error) {
      // Start again on a fresh connection: this one failed or hangs, and its session (with any lock) is gone or going.
      const broken = lock;
      lock = connect();
      void broken.end({ timeout: 0 }).catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async function tick() {
    try {
      if (await holdsLock()) await options.run();
      if (failing) log.info({ job: name }, `${name}: running again`);
      failing = false;
    } catch (error) {
      if (!failing) log.warn({ job: name, err: error instanceof Error ? error.message : String(error) }, `${name} failed; retrying every ${options.intervalMs} ms`);
      failing = true;
    }
  }

  const timer = setInterval(() => {
    if (current || stopped) return;
    current = tick().finally(() => (current = null));
  }, options.intervalMs);
  timer.unref();

  return {
    /** Waits for a run in progress, then closes the lock's session (which frees the lock). */
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
      await lock.end({ timeout: 5 }).catch(() => {});
    },
  };
}

export type LeaderLoop = ReturnType<typeof startLeaderLoop>;
