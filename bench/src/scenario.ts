/**
 * One scenario, end to end: the load with its warm-up and measured window,
 * resource readings at both ends of the window, then the drain (background
 * work and batched timing rows finish after the replies) and the analysis.
 */
import { analyzeVariants, computeRatios, type Ratios, type VariantStats } from "./analyze";
import { createChatClient, createDirectClient, type ChatClientKind } from "./clients";
import { runClosedLoop, runOpenLoop, type LoadResult } from "./load";
import type { LoadShape, Scenario } from "./matrix";
import { countBackgroundDone, countDuplicateJobs, drainMessageRows, sampleCpu, scrapeServer, type ServerMetrics } from "./observe";
import { summarize } from "./stats";
import type { System } from "./system";

export type ScenarioResult = {
  id: string;
  profile: string;
  dbDelayMs: number;
  load: LoadShape;
  warmupMs: number;
  measureMs: number;
  purpose?: Scenario["purpose"];
  variants: VariantStats[];
  ratios: Ratios;
  server: { cpuPercent: number | null; rssMb: number | null; eventLoopP99Ms: number | null };
  /** CPU of each process over the measured window, in % of one core (200 % is the whole machine). */
  cpuPercent: Record<string, number>;
  /** Open loop: how late the generator sent messages (p99, ms): it shares the machine too. */
  generatorLateP99Ms: number | null;
  sessionErrors: number;
  /** background_runs rows completed per second of the measured window (any message): the worker's pace. */
  backgroundDonePerSecond: number;
  /** Post-processing jobs so far (whole run) that were extra copies for one message: outbox relay re-enqueues. */
  duplicateJobs: number | null;
  /** Post-processing jobs still queued when the drain ended. */
  queuedAfterDrain: number | null;
  /** Answered messages (all phases) still without a background_runs row after this scenario's drain. */
  pendingAfterDrain: number;
  drainMs: number;
  /** The same after the whole run's final drain: lost events (filled in at the end of the run). */
  lostBackground: number | null;
};

export type DrainLimits = { maxMs: number; stallMs: number };

/** Runs the scenario; also returns the ids of the answered messages for the run's final lost-event check. */
export async function runScenario(system: System, scenario: Scenario, clientKind: ChatClientKind, drainLimits: DrainLimits): Promise<{ result: ScenarioResult; answeredIds: string[] }> {
  const chat = createChatClient(clientKind, system.apiUrl);
  const direct = createDirectClient(system.simulatorUrl);
  const pids = () => ({ server: system.serverPid(), worker: system.workerPid(), simulator: system.simulatorPid(), proxy: system.proxyPid() });

  // Readings at the start and the end of the measured window, taken while the load runs.
  let before: Reading | undefined;
  let after: Reading | undefined;
  // CPU first and stamped together; the scrape may wait on a busy server.
  const read = async (): Promise<Reading> => {
    const [at, wall, bench, cpu] = [performance.now(), new Date(), process.cpuUsage(), await sampleCpu(pids(), system.postgresDataDir)];
    return { at, wall, bench, cpu, server: await scrapeServer(system.apiUrl).catch(() => null) };
  };
  const startTimer = setTimeout(() => void read().then((r) => (before = r)), scenario.warmupMs);
  const endTimer = setTimeout(() => void read().then((r) => (after = r)), scenario.warmupMs + scenario.measureMs);

  await openConnections(system.apiUrl, 2 * (scenario.load.kind === "closed" ? scenario.load.concurrency : scenario.load.maxInFlight));
  const common = { variants: scenario.variants, chat, direct, warmupMs: scenario.warmupMs, measureMs: scenario.measureMs };
  let load: LoadResult;
  try {
    load =
      scenario.load.kind === "closed"
        ? await runClosedLoop({ ...common, concurrency: scenario.load.concurrency })
        : await runOpenLoop({ ...common, ratePerSecond: scenario.load.ratePerSecond, maxInFlight: scenario.load.maxInFlight });
  } finally {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
  }
  // A window shorter than one message (plan-like, one session) ends before the load does.
  while (!after || !before) await new Promise((r) => setTimeout(r, 50));

  const answered = load.samples.filter((s) => s.messageId && !s.error).map((s) => s.messageId as string);
  const rows = await drainMessageRows(system.sql(), answered, drainLimits);
  const backgroundDone = await countBackgroundDone(system.sql(), before.wall, after.wall);
  const duplicateJobs = await countDuplicateJobs(system.sql());
  const variants = analyzeVariants(load, scenario.variants, rows);
  const late = load.samples.filter((s) => s.measured && s.lateMs !== undefined).map((s) => s.lateMs as number);
  const cpuPercent = describeCpu(before, after);
  const result: ScenarioResult = {
    id: scenario.id,
    profile: scenario.profile.name,
    dbDelayMs: scenario.dbDelayMs,
    load: scenario.load,
    warmupMs: scenario.warmupMs,
    measureMs: scenario.measureMs,
    ...(scenario.purpose ? { purpose: scenario.purpose } : {}),
    variants,
    ratios: computeRatios(variants),
    server: describeServer(before, after, cpuPercent.server),
    cpuPercent,
    generatorLateP99Ms: late.length ? summarize(late).p99 : null,
    sessionErrors: load.sessionErrors,
    backgroundDonePerSecond: backgroundDone / ((after.at - before.at) / 1000),
    duplicateJobs,
    queuedAfterDrain: rows.queued,
    pendingAfterDrain: answered.length - rows.background.size,
    drainMs: rows.drainMs,
    lostBackground: null,
  };
  return { result, answeredIds: answered };
}

type Reading = { at: number; wall: Date; server: ServerMetrics | null; cpu: Record<string, number>; bench: NodeJS.CpuUsage };

/** From the server's own metrics; its CPU from /proc when a scrape failed (a busy server may not answer in time). */
function describeServer(before: Reading, after: Reading, procCpuPercent: number | undefined): ScenarioResult["server"] {
  const seconds = (after.at - before.at) / 1000;
  const cpuBefore = before.server?.cpuSeconds;
  const cpuAfter = after.server?.cpuSeconds;
  return {
    cpuPercent: cpuBefore != null && cpuAfter != null && seconds > 0 ? ((cpuAfter - cpuBefore) / seconds) * 100 : (procCpuPercent ?? null),
    rssMb: after.server?.rssBytes != null ? after.server.rssBytes / 2 ** 20 : null,
    eventLoopP99Ms: after.server?.eventLoopP99Seconds != null ? after.server.eventLoopP99Seconds * 1000 : null,
  };
}

function describeCpu(before: Reading, after: Reading): Record<string, number> {
  const seconds = (after.at - before.at) / 1000;
  if (seconds <= 0) return {};
  const out: Record<string, number> = {};
  for (const [name, end] of Object.entries(after.cpu)) {
    const start = before.cpu[name];
    if (start !== undefined) out[name] = Math.max(0, ((end - start) / seconds) * 100);
  }
  // The load generator itself (this process, the proxy is counted apart).
  out.bench = ((after.bench.user + after.bench.system - before.bench.user - before.bench.system) / 1e6 / seconds) * 100;
  // Whatever else ran on the machine meanwhile (other users of the same cores): busy minus ours.
  if (out.machine !== undefined) {
    const ours = Object.entries(out).filter(([name]) => name !== "machine").reduce((sum, [, pct]) => sum + pct, 0);
    out.other = Math.max(0, out.machine - ours);
  }
  return out;
}

/**
 * Opens `count` kept-alive connections to the server (concurrent requests each
 * need one) before the load starts, as a widget has its page's connections
 * open before a visitor's message: two per virtual user, as a user's next
 * message goes out while the last answer's stream is still closing. Without
 * this the first minute measures connection set-up: under load Node accepts
 * about one new connection per turn of its event loop (seen with strace: one
 * accept4 per turn, ~100 ms apart at the goal point), so a hundred users'
 * second connections waited seconds in the accept queue. The server keeps
 * connections alive for 65 s and says so, so the client keeps them too.
 */
async function openConnections(apiUrl: string, count: number) {
  await Promise.all(Array.from({ length: count }, () => fetch(`${apiUrl}/healthz`).then((r) => r.arrayBuffer())));
}
