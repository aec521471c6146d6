/**
 * The CPU scenario: a short warm-up, the idle server (no traffic, the worker
 * on, its queue empty), then each variant alone, a closed loop for the measured
 * window. Each variant's CPU is counted from its load's start until its
 * messages' background work has drained (their background_runs and
 * request_timings rows written, no background job pending), so a message's
 * cost includes the work it leaves behind; the idle server's cost over the
 * same span is shown apart (see cpu-cost.ts).
 */
import { addOverDirect, analyzeVariants, computeRatios, type VariantStats } from "./analyze";
import { openConnections, type ChatClient, type createDirectClient } from "./clients";
import { computeCpuPerMessage, computeIdleCost, diffCpuMs, splitThreadsMs, type CpuPerMessage, type CpuPhase, type IdleCost } from "./cpu-cost";
import { runClosedLoop, type Sample } from "./load";
import { scenarioFields, type LoadShape, type Scenario } from "./matrix";
import { countBackgroundDone, countDuplicateJobs, drainMessageRows, waitForQuietQueue } from "./observe";
import { benchCpuMs, createReader, describeCpu, describeServer, type Reading } from "./readings";
import type { DrainLimits, ScenarioResult } from "./scenario";
import type { System } from "./system";

export type CpuResult = {
  idle: IdleCost;
  /** Background jobs still pending when the idle reading began (left by earlier scenarios): the idle figure then includes their work. */
  pendingBeforeIdle: number | null;
  /** How long the server took, after the queue went quiet, to come down to its idle CPU (V8 settling its heap after the load before). */
  settleMs: number;
  phases: CpuPhase[];
  perMessage: CpuPerMessage[];
};

/** How long to wait for earlier scenarios' background work before the idle reading. */
const QUIET_WAIT_MS = 60_000;

/**
 * After a load the server's process keeps burning CPU for a second or two
 * with no JavaScript running: V8's helper threads collect and compact the
 * heap the load left (measured per thread: ~100 ms on its GC threads in the
 * first second), and V8's memory reducer follows with full GCs some seconds
 * apart (~90 ms each, every ~9 s in an after-silence profile; after the
 * 100-session scenarios a 10 s reading that began 11 s after the queue went
 * quiet still caught 670 ms of it) until the heap has shrunk. That is the
 * load's cost, not the idle server's, so the idle reading starts once
 * SETTLED_WINDOWS windows of SETTLE_WINDOW_MS in a row (30 s) spend no more
 * than the idle goal (10 ms/s) each, or after SETTLE_MAX_MS.
 */
const SETTLE_WINDOW_MS = 2_000;
const SETTLED_WINDOWS = 15;
const SETTLE_MAX_MS = 90_000;
const SETTLED_MS_PER_SECOND = 10;

async function waitForSettledServer(read: ReturnType<typeof createReader>): Promise<number> {
  const started = performance.now();
  let before = await read({ scrape: false });
  let quiet = 0;
  while (quiet < SETTLED_WINDOWS && performance.now() - started < SETTLE_MAX_MS) {
    await new Promise((r) => setTimeout(r, SETTLE_WINDOW_MS));
    const after = await read({ scrape: false });
    // The server's process, and the worker's when it has one of its own (--worker-process): the idle reading counts both.
    const serverMs = ((after.cpu.server ?? 0) + (after.cpu.worker ?? 0) - (before.cpu.server ?? 0) - (before.cpu.worker ?? 0)) * 1000;
    quiet = serverMs <= SETTLED_MS_PER_SECOND * ((after.at - before.at) / 1000) ? quiet + 1 : 0;
    before = after;
  }
  return performance.now() - started;
}

export async function runCpuScenario(
  system: System,
  scenario: Scenario,
  shape: Extract<LoadShape, { kind: "cpu" }>,
  clients: { chat: ChatClient; direct: ReturnType<typeof createDirectClient> },
  drainLimits: DrainLimits,
): Promise<{ result: ScenarioResult; answeredIds: string[] }> {
  const sql = system.sql();
  const read = createReader(system);
  await openConnections(system.apiUrl, 2 * shape.concurrency);
  // A warm-up of the server's variants (compiled code, pool connections, caches), unless the scenarios before did it.
  const serverVariants = scenario.variants.filter((v) => v.kind === "server");
  const answeredIds: string[] = [];
  if (scenario.warmupMs > 0 && serverVariants.length) {
    const warmUp = await runClosedLoop({ ...clients, variants: serverVariants, warmupMs: scenario.warmupMs, measureMs: 0, concurrency: shape.concurrency });
    answeredIds.push(...answeredMessageIds(warmUp.samples));
    // Its batched timing rows too: the idle server writes nothing.
    await drainMessageRows(sql, answeredIds, drainLimits);
  }
  const pendingBeforeIdle = await waitForQuietQueue(sql, QUIET_WAIT_MS);
  const settleMs = await waitForSettledServer(read);
  // The one scrape before the end: it restarts the server's event-loop histogram.
  const first = await read({ scrape: true });
  const idleStart = await read({ scrape: false });
  await new Promise((r) => setTimeout(r, shape.idleMs));
  const idleEnd = await read({ scrape: false });
  const idle = computeIdleCost(cpuMsBetween(idleStart, idleEnd), (idleEnd.at - idleStart.at) / 1000);

  const phases: CpuPhase[] = [];
  const variants: VariantStats[] = [];
  let sessionErrors = 0;
  let drainMs = 0;
  let pendingAfterDrain = 0;
  let queuedAfterDrain: number | null = null;
  for (const variant of scenario.variants) {
    const start = await read({ scrape: false });
    const load = await runClosedLoop({ ...clients, variants: [variant], warmupMs: 0, measureMs: scenario.measureMs, concurrency: shape.concurrency });
    const loadEnd = await read({ scrape: false });
    const answered = load.samples.filter((s) => !s.error && s.doneAt !== null);
    const ids = answeredMessageIds(answered);
    const drainStart = Date.now();
    const rows = await drainMessageRows(sql, ids, drainLimits);
    queuedAfterDrain = await waitForQuietQueue(sql, Math.max(0, drainLimits.maxMs - (Date.now() - drainStart)));
    const end = await read({ scrape: false });
    drainMs += Date.now() - drainStart;
    const pending = ids.length - rows.background.size;
    phases.push({
      variant: variant.name,
      answered: answered.length,
      loadSeconds: (loadEnd.at - start.at) / 1000,
      seconds: (end.at - start.at) / 1000,
      cpuMs: cpuMsBetween(start, end),
      generatorMs: benchCpuMs(start, loadEnd),
      pending,
    });
    variants.push(...analyzeVariants(load, [variant], rows));
    answeredIds.push(...ids);
    sessionErrors += load.sessionErrors;
    pendingAfterDrain += pending;
  }
  addOverDirect(variants);

  const last = await read({ scrape: true });
  const cpuPercent = describeCpu(first, last);
  const result: ScenarioResult = {
    ...scenarioFields(scenario),
    variants,
    ratios: computeRatios(variants),
    server: describeServer(first, last, cpuPercent.server),
    cpuPercent,
    generatorLateP99Ms: null,
    sessionErrors,
    backgroundDonePerSecond: (await countBackgroundDone(sql, first.wall, last.wall)) / ((last.at - first.at) / 1000),
    duplicateJobs: await countDuplicateJobs(sql),
    queuedAfterDrain,
    pendingAfterDrain,
    drainMs,
    lostBackground: null,
    cpu: { idle, pendingBeforeIdle, settleMs, phases, perMessage: phases.map((p) => computeCpuPerMessage(p, idle)) },
  };
  return { result, answeredIds };
}

function answeredMessageIds(samples: readonly Sample[]): string[] {
  return samples.filter((s) => !s.error && s.messageId !== null).map((s) => s.messageId as string);
}

/** CPU ms between two readings by process (the machine's and this process's own left out) and the server's ThreadSplit. */
function cpuMsBetween(before: Reading, after: Reading): Record<string, number> {
  const { machine: _machine, ...processes } = diffCpuMs(before.cpu, after.cpu);
  return { ...processes, ...splitThreadsMs(before.serverThreads, after.serverThreads) };
}
