/**
 * `pnpm bench` — measures the variants side by side on this machine and
 * writes <out>/<timestamp>.json and .md, copying the markdown to
 * bench/REPORT.md. Options: --full (the whole matrix, ~25 min; default is the
 * ~9 min quick mode), --out DIR, --client fetch|trpc, --only TEXT (scenarios
 * whose id contains TEXT; such a partial run does not replace REPORT.md),
 * --cpu-prof DIR (a V8 CPU profile of the API server per scenario group),
 * --worker-process (the background worker in a process of its own).
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

import type { ChatClientKind } from "./clients";
import { evaluateGoals } from "./goals";
import { fullMatrix, plannedLoadMs, quickMatrix, type Scenario } from "./matrix";
import { drainMessageRows } from "./observe";
import { describeMachine, formatGoalsText, formatMarkdown, formatScenarioText, type RunInfo } from "./report";
import { runScenario, type DrainLimits, type ScenarioResult } from "./scenario";
import { REPO_ROOT, startSystem, type System } from "./system";
import { ALL_VARIANTS, checkVariants } from "./variants";

const CLIENT_REASONS: Record<ChatClientKind, string> = {
  fetch:
    "A minimal fetch client speaking tRPC's wire format (POST /trpc/chat.send?batch=1, `trpc-accept: application/jsonl`, JSON lines read as they arrive): at 100 concurrent streams on 2 cores the @trpc/client link machinery costs the load generator noticeably more CPU (see bench/README.md), and that CPU is taken from the server under test.",
  trpc: "@trpc/client with httpBatchStreamLink (maxItems 1, the variant's x-leadline-flags header from the operation context), as the widget uses it.",
};

const BENCH_DIR = join(REPO_ROOT, "bench");
const SERVER_SETTINGS = { dbPoolMax: 40, workerConcurrency: 16 };
/**
 * After each scenario the bench waits for its messages' background work, up
 * to maxMs (then the rest is reported as pending and spills into the next
 * scenario); the quick mode waits less.
 */
const SCENARIO_DRAIN = { quick: { maxMs: 30_000, stallMs: 10_000 }, full: { maxMs: 90_000, stallMs: 10_000 } };
/** A message whose background work has not come when the queue made no progress for stallMs is lost. */
const FINAL_DRAIN = { maxMs: 120_000, stallMs: 15_000 };

async function main() {
  const { values } = parseArgs({
    options: {
      full: { type: "boolean", default: false },
      out: { type: "string", default: join(BENCH_DIR, "results") },
      client: { type: "string", default: "fetch" },
      only: { type: "string" },
      "cpu-prof": { type: "string" },
      "worker-process": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log("usage: pnpm --filter @leadline/bench bench [--full] [--out DIR] [--client fetch|trpc] [--only TEXT] [--cpu-prof DIR] [--worker-process]");
    return;
  }
  if (values.client !== "fetch" && values.client !== "trpc") throw new Error(`--client must be fetch or trpc, got ${values.client}`);
  const client: ChatClientKind = values.client;
  const mode = values.full ? "full" : "quick";
  const matrix = (values.full ? fullMatrix() : quickMatrix()).filter((s) => !values.only || s.id.includes(values.only));
  if (matrix.length === 0) throw new Error(`no scenario matches --only ${values.only}`);
  checkVariants(ALL_VARIANTS);

  const started = Date.now();
  const date = new Date().toISOString();
  console.log(`Leadline bench, ${mode} mode: ${matrix.length} scenarios, ${client} client`);
  const cpuProfileDir = values["cpu-prof"] ? resolve(values["cpu-prof"]) : undefined;
  const workerProcess = values["worker-process"];
  const system = await startSystem({ ...SERVER_SETTINGS, cpuProfileDir, workerProcess, log: (line) => console.log(`  ${line}`) });
  const stopOnSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the server, simulator, proxy and database…`);
    void system.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);

  const results: ScenarioResult[] = [];
  try {
    await runMatrix(system, matrix, { client, drain: SCENARIO_DRAIN[mode] }, (result) => {
      results.push(result);
      console.log(`\n${formatScenarioText(result)}`);
    });
  } finally {
    await system.stop();
  }

  const goals = evaluateGoals(results);
  console.log(`\n${formatGoalsText(goals)}`);
  const info: RunInfo = {
    date,
    mode,
    client,
    clientReason: CLIENT_REASONS[client],
    database: system.databaseTarget,
    profiles: [...new Map(matrix.map((s) => [s.profile.name, s.profile])).values()],
    serverEnv: { DB_POOL_MAX: String(SERVER_SETTINGS.dbPoolMax), WORKER_CONCURRENCY: String(SERVER_SETTINGS.workerConcurrency), ENHANCEMENT_WINDOW_MS: "1", LLM_MAX_OUTPUT_TOKENS: "400", ROLE: workerProcess ? "api, and a second process with ROLE=worker" : "all (WORKER_THREAD=1: the worker in a worker thread)", ALLOW_FLAG_OVERRIDE: "1" },
    variants: ALL_VARIANTS.map((v) => ({ name: v.name, flags: v.flags, description: v.description })),
    durationS: (Date.now() - started) / 1000,
  };
  const outDir = resolve(values.out);
  await mkdir(outDir, { recursive: true });
  const stamp = date.replaceAll(":", "-").replace(/\.\d+Z$/, "Z");
  const markdown = formatMarkdown(info, results, goals);
  await writeFile(join(outDir, `${stamp}.json`), `${JSON.stringify({ info, machine: describeMachine(), results, goals }, null, 2)}\n`);
  await writeFile(join(outDir, `${stamp}.md`), markdown);
  // bench/REPORT.md is the committed report: only a whole quick or full run replaces it.
  if (!values.only) await copyFile(join(outDir, `${stamp}.md`), join(BENCH_DIR, "REPORT.md"));
  console.log(`\nwrote ${join(outDir, `${stamp}.json`)} and .md${values.only ? "" : "; copied to bench/REPORT.md"} (${Math.round(info.durationS)} s)`);
}

/**
 * Scenarios in order; each group starts on a fresh database, simulator and
 * server, and ends with the lost-event check of its messages. The DB delay
 * changes live between scenarios.
 */
async function runMatrix(system: System, matrix: readonly Scenario[], options: { client: ChatClientKind; drain: DrainLimits }, onResult: (r: ScenarioResult) => void) {
  let group: { name: string; results: ScenarioResult[]; answered: Map<string, string[]> } | undefined;
  for (const scenario of matrix) {
    if (scenario.group !== group?.name) {
      if (group) await checkLostEvents(system, group.results, group.answered);
      console.log(`\nscenario group ${scenario.group}: a fresh database, the simulator (${scenario.profile.name} profile) and the API server…`);
      await system.startGroup(scenario.profile);
      group = { name: scenario.group, results: [], answered: new Map() };
    }
    await system.setDbDelay(scenario.dbDelayMs);
    console.log(`\nrunning ${scenario.id} (${Math.round(plannedLoadMs(scenario) / 1000)} s of load)…`);
    const { result, answeredIds } = await runScenario(system, scenario, options.client, options.drain);
    group.answered.set(result.id, answeredIds);
    group.results.push(result);
    onResult(result);
  }
  if (group) await checkLostEvents(system, group.results, group.answered);
}

/** At the end of a group: every answered message must get its background_runs row. */
async function checkLostEvents(system: System, results: ScenarioResult[], answered: Map<string, string[]>) {
  const all = [...answered.values()].flat();
  const rows = await drainMessageRows(system.sql(), all, FINAL_DRAIN);
  for (const result of results) result.lostBackground = (answered.get(result.id) ?? []).filter((id) => !rows.background.has(id)).length;
  const lost = results.reduce((sum, r) => sum + (r.lostBackground ?? 0), 0);
  console.log(`\nlost-event check: ${lost} of ${all.length} answered messages have no background_runs row after ${Math.round(rows.drainMs / 1000)} s more (${rows.queued ?? "?"} post-process jobs still queued)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
