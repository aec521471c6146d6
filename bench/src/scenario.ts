/**
 * One scenario, end to end: the load with its warm-up and measured window,
 * resource readings at both ends of the window, then the drain (background
 * work and batched timing rows finish after the replies) and the analysis.
 * The CPU scenario (each variant alone, its CPU per message) is cpu-scenario.ts.
 */
import { analyzeVariants, computeRatios, type Ratios, type VariantStats } from "./analyze";
import { createChatClient, createDirectClient, openConnections, type ChatClientKind } from "./clients";
import { runCpuScenario, type CpuResult } from "./cpu-scenario";
import { runAfterSilence, runClosedLoop, runOpenLoop, type LoadOptions, type LoadResult } from "./load";
import { scenarioFields, type LoadShape, type Scenario } from "./matrix";
import { countBackgroundDone, countDuplicateJobs, drainMessageRows } from "./observe";
import { createReader, describeCpu, describeServer, type Reading, type ServerSummary } from "./readings";
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
  server: ServerSummary;
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
  /** The CPU scenario: the idle server's CPU and each variant's CPU per answered message. */
  cpu?: CpuResult;
};

export type DrainLimits = { maxMs: number; stallMs: number };

/** Runs the scenario; also returns the ids of the answered messages for the run's final lost-event check. */
export async function runScenario(system: System, scenario: Scenario, clientKind: ChatClientKind, drainLimits: DrainLimits): Promise<{ result: ScenarioResult; answeredIds: string[] }> {
  const chat = createChatClient(clientKind, system.apiUrl);
  const direct = createDirectClient(system.simulatorUrl);
  if (scenario.load.kind === "cpu") return runCpuScenario(system, scenario, scenario.load, { chat, direct }, drainLimits);

  await openConnections(system.apiUrl, 2 * connectionsFor(scenario));
  const common: LoadOptions = { variants: scenario.variants, chat, direct, warmupMs: scenario.warmupMs, measureMs: scenario.measureMs };
  const { load, before, after } = await runLoad(scenario.load, common, createReader(system));

  const answered = load.samples.filter((s) => s.messageId && !s.error).map((s) => s.messageId as string);
  const rows = await drainMessageRows(system.sql(), answered, drainLimits);
  const backgroundDone = await countBackgroundDone(system.sql(), before.wall, after.wall);
  const duplicateJobs = await countDuplicateJobs(system.sql());
  const variants = analyzeVariants(load, scenario.variants, rows);
  const late = load.samples.filter((s) => s.measured && s.lateMs !== undefined).map((s) => s.lateMs as number);
  const cpuPercent = describeCpu(before, after);
  const result: ScenarioResult = {
    ...scenarioFields(scenario),
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

/** How many requests may be in flight at once: a kept-alive connection each. */
function connectionsFor(scenario: Scenario): number {
  const load = scenario.load;
  switch (load.kind) {
    case "closed":
      return load.concurrency * (load.perVariant ? scenario.variants.length : 1);
    case "open":
      return load.maxInFlight;
    case "after-silence":
      return load.visitors * scenario.variants.length;
    case "cpu":
      return load.concurrency;
  }
}

/** The load, with readings at both ends of its measured window. */
async function runLoad(shape: LoadShape, common: LoadOptions, read: ReturnType<typeof createReader>): Promise<{ load: LoadResult; before: Reading; after: Reading }> {
  if (shape.kind === "after-silence") {
    let before: Reading | undefined;
    // No scrape before the burst: it would be the only request in the silence.
    const load = await runAfterSilence({ ...common, visitors: shape.visitors, silenceMs: shape.silenceMs, beforeBurst: async () => void (before = await read({ scrape: false })) });
    if (!before) throw new Error("the burst after silence began without its reading");
    return { load, before, after: await read({ scrape: true }) };
  }
  if (shape.kind === "cpu") throw new Error("the CPU scenario has a runner of its own");
  // Readings at the start and the end of the measured window, taken while the load runs.
  let before: Reading | undefined;
  let after: Reading | undefined;
  const startTimer = setTimeout(() => void read({ scrape: true }).then((r) => (before = r)), common.warmupMs);
  const endTimer = setTimeout(() => void read({ scrape: true }).then((r) => (after = r)), common.warmupMs + common.measureMs);
  let load: LoadResult;
  try {
    load =
      shape.kind === "closed"
        ? await runClosedLoop({ ...common, concurrency: shape.concurrency, perVariant: shape.perVariant })
        : await runOpenLoop({ ...common, ratePerSecond: shape.ratePerSecond, maxInFlight: shape.maxInFlight });
  } finally {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
  }
  // A window shorter than one message (plan-like, one session) ends before the load does.
  while (!after || !before) await new Promise((r) => setTimeout(r, 50));
  return { load, before, after };
}
