/**
 * What the bench reads from the system besides its own timings: the server's
 * Prometheus metrics, per-process CPU from /proc, and per-message rows the
 * server wrote (background_runs, request_timings).
 */
import { readdir, readFile } from "node:fs/promises";

import type postgres from "postgres";

export type ServerMetrics = { cpuSeconds: number | null; rssBytes: number | null; eventLoopP99Seconds: number | null };

/**
 * The server's CPU, memory and event-loop delay. prom-client resets its
 * event-loop histogram at every scrape, so the p99 covers the time since the
 * previous scrape: scrape at the start of a window and again at its end.
 */
export async function scrapeServer(apiUrl: string): Promise<ServerMetrics> {
  const text = await (await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  return {
    cpuSeconds: readGauge(text, "leadline_process_cpu_seconds_total"),
    rssBytes: readGauge(text, "leadline_process_resident_memory_bytes"),
    eventLoopP99Seconds: readGauge(text, "leadline_nodejs_eventloop_lag_p99_seconds"),
  };
}

/** The value of an unlabelled sample in Prometheus text format. */
export function readGauge(text: string, name: string): number | null {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  const value = line ? Number(line.slice(name.length + 1).trim().split(" ")[0]) : Number.NaN;
  return Number.isFinite(value) ? value : null;
}

const TICKS_PER_SECOND = 100;

/** CPU seconds the whole machine has been busy (all cores, everything but idle and iowait), from /proc/stat. */
export async function readMachineBusySeconds(): Promise<number | null> {
  const line = (await readFile("/proc/stat", "utf8").catch(() => "")).split("\n")[0] ?? "";
  const [label, ...fields] = line.trim().split(/\s+/);
  if (label !== "cpu") return null;
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, x) => sum + (x ?? 0), 0);
  return busy / TICKS_PER_SECOND;
}

/**
 * CPU seconds (user + system) used so far by each named process, by our
 * PostgreSQL cluster (the postmaster on `postgresDataDir`, its live children,
 * and the children it has reaped: a backend that exits leaves its CPU in the
 * postmaster's cutime and cstime) and by the whole machine.
 */
export async function sampleCpu(pids: Record<string, number | undefined>, postgresDataDir: string | null): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const seconds = pid ? await readProcessCpu(pid) : null;
    if (seconds !== null) out[name] = seconds;
  }
  if (postgresDataDir) {
    const processes = await listPostgresProcesses();
    const postmaster = processes.find((p) => p.cmdline.includes(postgresDataDir));
    if (postmaster) out.postgres = postmaster.reapedCpu + processes.filter((p) => p.pid === postmaster.pid || p.ppid === postmaster.pid).reduce((sum, p) => sum + p.cpu, 0);
  }
  const machine = await readMachineBusySeconds();
  if (machine !== null) out.machine = machine;
  return out;
}

async function listPostgresProcesses() {
  const found: { pid: number; ppid: number; cpu: number; reapedCpu: number; cmdline: string }[] = [];
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    if (!stat.includes("(postgres)")) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    found.push({ pid: Number(entry), ppid, cpu: cpuOfStat(stat) ?? 0, reapedCpu: cpuOfStat(stat, "reaped children") ?? 0, cmdline });
  }
  return found;
}

async function readProcessCpu(pid: number): Promise<number | null> {
  return cpuOfStat(await readFile(`/proc/${pid}/stat`, "utf8").catch(() => ""));
}

/**
 * CPU seconds of each live thread of a process, by thread id (the main
 * thread's id is the process's; in Node the others are worker threads, GC and
 * compiler helpers, libuv's pool). A thread that ended is missing.
 */
export async function readThreadCpus(pid: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const seconds = cpuOfStat(await readFile(`/proc/${pid}/task/${tid}/stat`, "utf8").catch(() => ""));
    if (seconds !== null) out[tid] = seconds;
  }
  return out;
}

/** The process's own CPU seconds (utime + stime), or those of its children it has waited for (cutime + cstime). */
function cpuOfStat(stat: string, whose: "own" | "reaped children" = "own"): number | null {
  // Fields after the parenthesised command name; utime, stime, cutime and cstime are the 14th to 17th fields.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const first = whose === "own" ? 11 : 13;
  const user = Number(fields[first]);
  const system = Number(fields[first + 1]);
  return Number.isFinite(user) && Number.isFinite(system) ? (user + system) / TICKS_PER_SECOND : null;
}

type Sql = postgres.Sql;

export type TimingRow = {
  messageId: string;
  criticalPostMs: number | null;
  dbMs: number | null;
  /** The server's own time to first token: the send's start (after admission) → first token handed to the stream. */
  timeToFirstTokenMs: number | null;
  stages: { name: string; mode: string; ms: number; ok: boolean }[];
  flags: Record<string, boolean>;
};

export type BackgroundRow = { lagMs: number; stages: { name: string; ms: number; ok: boolean; lagMs?: number }[] };

export type MessageRows = { background: Map<string, BackgroundRow>; timings: Map<string, TimingRow> };

/** background_runs and request_timings rows of these assistant messages. */
export async function readMessageRows(sql: Sql, messageIds: readonly string[]): Promise<MessageRows> {
  const background = new Map<string, BackgroundRow>();
  const timings = new Map<string, TimingRow>();
  for (let i = 0; i < messageIds.length; i += 5000) {
    const ids = messageIds.slice(i, i + 5000);
    const runs = await sql<{ message_id: string; lag_ms: number; stages: BackgroundRow["stages"] }[]>`
      select message_id, lag_ms, stages from background_runs where message_id in ${sql(ids)}`;
    for (const row of runs) background.set(row.message_id, { lagMs: row.lag_ms, stages: row.stages });
    const rows = await sql<{ message_id: string; critical_post_ms: number | null; db_ms: number | null; time_to_first_token_ms: number | null; stages: TimingRow["stages"]; flags: TimingRow["flags"] }[]>`
      select message_id, critical_post_ms, db_ms, time_to_first_token_ms, stages, flags from request_timings where message_id in ${sql(ids)}`;
    for (const row of rows) {
      timings.set(row.message_id, {
        messageId: row.message_id,
        criticalPostMs: row.critical_post_ms,
        dbMs: row.db_ms,
        timeToFirstTokenMs: row.time_to_first_token_ms,
        stages: row.stages,
        flags: row.flags,
      });
    }
  }
  return { background, timings };
}

/**
 * Waits until every message has its background_runs and request_timings row
 * (background work and batched timing writes finish after the reply): until
 * all are there, or no row came for `stallMs` while the queue holds no
 * post-processing job (nothing more will come: the rest are lost), or `maxMs`.
 */
export async function drainMessageRows(sql: Sql, messageIds: readonly string[], limits: { maxMs: number; stallMs: number }): Promise<MessageRows & { drainMs: number; queued: number | null }> {
  const started = Date.now();
  let found = -1;
  let progressAt = started;
  for (;;) {
    const rows = await readMessageRows(sql, messageIds);
    const now = Date.now();
    const count = rows.background.size + rows.timings.size;
    if (count > found) [found, progressAt] = [count, now];
    const complete = rows.background.size >= messageIds.length && rows.timings.size >= messageIds.length;
    const stalled = now - progressAt > limits.stallMs;
    const queued = complete || stalled || now - started > limits.maxMs ? await countQueuedJobs(sql) : null;
    if (complete || (stalled && !queued) || now - started > limits.maxMs) return { ...rows, drainMs: now - started, queued };
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Post-processing jobs waiting or running in the server's queue (pg-boss's table; null if it cannot be read). */
export async function countQueuedJobs(sql: Sql): Promise<number | null> {
  const rows = await sql<{ n: number }[]>`select count(*)::int as n from pgboss.job where name = 'post-process' and state in ('created', 'retry', 'active')`.catch(() => null);
  return rows?.[0]?.n ?? null;
}

/** Background jobs of any kind waiting, retrying or running: a message's quick lane, its model lane, webhook deliveries (null if the queue cannot be read). */
export async function countPendingBackgroundJobs(sql: Sql): Promise<number | null> {
  const rows = await sql<{ n: number }[]>`
    select count(*)::int as n from pgboss.job
    where name in ('post-process', 'post-process-model', 'deliver-webhook') and state in ('created', 'retry', 'active')`.catch(() => null);
  return rows?.[0]?.n ?? null;
}

/** Waits until no background job is pending, up to `maxMs`; returns how many still were. */
export async function waitForQuietQueue(sql: Sql, maxMs: number): Promise<number | null> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const pending = await countPendingBackgroundJobs(sql);
    if (!pending || Date.now() > deadline) return pending;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Post-processing jobs so far beyond the first for their message (the outbox relay's re-enqueues). */
export async function countDuplicateJobs(sql: Sql): Promise<number | null> {
  const rows = await sql<{ n: number }[]>`
    select coalesce(sum(copies - 1), 0)::int as n from (
      select count(*) as copies from pgboss.job where name = 'post-process' group by data->>'messageId'
    ) per_message`.catch(() => null);
  return rows?.[0]?.n ?? null;
}

/** How many messages' background work finished between two wall-clock times (the worker's throughput). */
export async function countBackgroundDone(sql: Sql, from: Date, to: Date): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from background_runs where completed_at >= ${from} and completed_at < ${to}`;
  return row?.n ?? 0;
}
