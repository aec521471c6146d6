/**
 * The run's outputs: an aligned table per scenario for the terminal, and the
 * markdown report (machine, parameters, tables, ratios, goals).
 */
import { cpus, totalmem } from "node:os";

import type { VariantStats } from "./analyze";
import { idleRestMsPerSecond } from "./cpu-cost";
import type { Goal } from "./goals";
import type { ScenarioResult } from "./scenario";

export type RunInfo = {
  date: string;
  mode: "quick" | "full";
  client: string;
  clientReason: string;
  database: string;
  profiles: { name: string; firstTokenMs: number; msPerToken: number; replyTokens: number }[];
  serverEnv: Record<string, string>;
  variants: { name: string; flags: string; description: string }[];
  durationS: number;
};

export function describeMachine() {
  const cpu = cpus();
  return { cpuModel: cpu[0]?.model ?? "unknown", cores: cpu.length, memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version, platform: `${process.platform} ${process.arch}` };
}

const ms = (x: number | null | undefined) => (x == null ? "–" : Math.abs(x) < 10 ? x.toFixed(1) : x.toFixed(0));
const trio = (s: { p50: number | null; p95: number | null; p99: number | null }) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`;
const num = (x: number | null | undefined, digits = 1) => (x == null ? "–" : x.toFixed(digits));

const HEADER = ["variant", "n", "err", "TTFT p50/p95/p99 ms", "total p50/p95/p99 ms", "+TTFT p95", "+total p95", "tail p95", "bg lag p95", "model lag p95", "msg/s"];

function variantRow(v: VariantStats): string[] {
  return [v.variant, String(v.n), String(v.errors), trio(v.ttft), trio(v.total), ms(v.addedTtftP95), ms(v.addedTotalP95), ms(v.tail.p95), ms(v.backgroundLag?.p95), ms(v.modelLaneLag?.p95), num(v.throughput)];
}

export function describeLoad(r: ScenarioResult): string {
  return `${r.profile} profile, DB round trip +${r.dbDelayMs} ms, ${describeShape(r)}`;
}

function describeShape(r: ScenarioResult): string {
  const load = r.load;
  const window = `warm-up ${r.warmupMs / 1000} s, measured ${r.measureMs / 1000} s`;
  const names = r.variants.map((v) => v.variant).join(", ");
  switch (load.kind) {
    case "closed":
      return load.perVariant
        ? `closed loop, ${load.concurrency} session${load.concurrency === 1 ? "" : "s"} per variant: ${names} each ${load.concurrency === 1 ? "have a virtual user" : `have ${load.concurrency} virtual users`} of their own, running side by side (${load.concurrency === 1 ? "one visitor" : `${load.concurrency} visitors`} at a time per variant, ${load.concurrency * r.variants.length} users in all); ${window}`
        : `closed loop, ${load.concurrency} sessions; ${window}`;
    case "open":
      return `open loop, ${load.ratePerSecond} messages/s; ${window}`;
    case "after-silence":
      return `after ${load.silenceMs / 1000} s of silence: ${load.visitors} visitors per variant (${names}) send a first message, then nothing reaches the server for ${load.silenceMs / 1000} s (its worker on), then each sends its next message on the same session, all at once; only those are measured`;
    case "cpu":
      return `CPU per message: after a warm-up of ${r.warmupMs / 1000} s, the idle server for ${load.idleMs / 1000} s (no traffic, the worker on, its queue empty), then ${names} each alone in turn, a closed loop of ${load.concurrency} sessions for ${r.measureMs / 1000} s with every message counted; each process's CPU is counted from the load's start until its messages' background work has drained`;
  }
}

const CPU_HEADER = ["variant", "answered", "counted over s", "server ms/msg raw", "idle share", "net", "main thread", "busiest other thread", "rest", "postgres ms/msg", "simulator ms/msg", "load generator ms/msg"];

/** The CPU scenario's figures: per answered message, and the idle server. */
function cpuTable(r: ScenarioResult): { header: string[]; rows: string[][]; notes: string[] } | null {
  if (!r.cpu) return null;
  const { idle, phases, perMessage, pendingBeforeIdle, settleMs } = r.cpu;
  const rows = perMessage.map((m, i) => {
    const phase = phases[i];
    return [m.variant, String(m.answered), phase ? `${num(phase.seconds)} (load ${num(phase.loadSeconds)})` : "–", num(m.rawMs, 2), num(m.idleMs, 2), num(m.netMs, 2), num(m.mainThreadMs, 2), num(m.busiestThreadMs, 2), num(m.restMs, 2), num(m.postgresMs, 2), num(m.simulatorMs, 2), num(m.generatorMs, 2)];
  });
  const notes = [
    `idle server: ${num(idle.serverMsPerSecond, 1)} ms CPU per second (main thread ${num(idle.mainThreadMsPerSecond, 1)}, busiest other thread ${num(idle.busiestThreadMsPerSecond, 1)}, rest ${num(idleRestMsPerSecond(idle), 1)}; postgres meanwhile ${num(idle.postgresMsPerSecond, 1)} ms/s) over ${num(idle.seconds, 0)} s, read once the server had settled (${num((settleMs ?? 0) / 1000, 1)} s after its queue went quiet: V8 collecting what the load before left)`,
    "server = the API server's process (its worker thread included; with --worker-process the worker's process added); raw = its CPU from the load's start until the messages' background work drained, per answered message; idle share = the idle server's CPU per second × that span, per message; net = raw − idle share. Raw split: main thread = the API's event loop; busiest other thread = with ROLE=all the worker thread's event loop (the background work); rest = GC, the compiler, libuv's pool (and the worker process, if any). Load generator = this process over the load only (for D the OpenAI SDK consuming the stream). Postgres = the cluster's processes, backends that ended included (the postmaster's reaped children), the bench's own drain queries too.",
  ];
  if (pendingBeforeIdle) notes.push(`${pendingBeforeIdle} background jobs of earlier scenarios were still pending when the idle reading began: the idle figure includes their work`);
  for (const p of phases) if (p.pending) notes.push(`${p.variant}: ${p.pending} answered messages' background work had not finished when counting stopped (their CPU is partly missing)`);
  return { header: CPU_HEADER, rows, notes };
}

function describeResources(r: ScenarioResult): string {
  const cpu = Object.entries(r.cpuPercent)
    .map(([name, pct]) => `${name} ${pct.toFixed(0)}%`)
    .join(", ");
  const late = r.generatorLateP99Ms !== null ? `; generator lateness p99 ${ms(r.generatorLateP99Ms)} ms` : "";
  const arriving = r.variants.filter((v) => v.variant !== "D").reduce((sum, v) => sum + v.throughput, 0);
  const worker = `background work done ${num(r.backgroundDonePerSecond)}/s while ${num(arriving)} answers/s arrived`;
  return `server: CPU ${num(r.server.cpuPercent, 0)}% of a core, RSS ${num(r.server.rssMb, 0)} MB, event-loop delay p99 ${ms(r.server.eventLoopP99Ms)} ms; ${worker} | CPU by process (% of one core): ${cpu}${late}`;
}

function describeRatios(r: ScenarioResult): string | null {
  const { soAddedTotal, soAddedTtft, soTotalP95, odTotalP95 } = r.ratios;
  if (soAddedTotal === null && odTotalP95 === null) return null;
  return `ratios: S/O added over D (total p95) ${num(soAddedTotal)}, (TTFT p95) ${num(soAddedTtft)}; S/O total p95 ${num(soTotalP95, 2)}; O/D total p95 ${num(odTotalP95, 3)}`;
}

/** The scenario as an aligned plain-text table with its resource and ratio lines. */
export function formatScenarioText(r: ScenarioResult): string {
  const cpu = cpuTable(r);
  const cpuLines = cpu ? ["CPU per answered message, ms:", ...alignedTable(cpu.header, cpu.rows), ...cpu.notes] : [];
  return [`== ${r.id}: ${describeLoad(r)}`, ...alignedTable(HEADER, r.variants.map(variantRow)), ...cpuLines, describeResources(r), describeRatios(r), extraProblems(r)].filter(Boolean).join("\n");
}

function alignedTable(header: string[], body: string[][]): string[] {
  const rows = [header, ...body];
  const widths = header.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  const lines = rows.map((row) => row.map((cell, i) => (i < 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  "));
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines;
}

function extraProblems(r: ScenarioResult): string | null {
  const problems: string[] = [];
  for (const v of r.variants) {
    if (v.errors) problems.push(`${v.variant}: ${v.errors} errors (${v.errorKinds.join(" | ")})`);
    if (v.flagMismatches) problems.push(`${v.variant}: ${v.flagMismatches} messages ran with other flags than asked`);
  }
  if (r.pendingAfterDrain) problems.push(`${r.pendingAfterDrain} answered messages still without a background_runs row ${Math.round(r.drainMs / 1000)} s after the load (background backlog; ${r.queuedAfterDrain ?? "?"} jobs still queued)`);
  if (r.duplicateJobs) problems.push(`${r.duplicateJobs} post-process jobs so far were extra copies for a message that already had one (outbox relay re-enqueues)`);
  if (r.lostBackground) problems.push(`${r.lostBackground} answered messages never got a background_runs row (lost events)`);
  if (r.sessionErrors) problems.push(`${r.sessionErrors} failed startSession calls`);
  return problems.length ? `problems: ${problems.join("; ")}` : null;
}

function markdownTable(header: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replaceAll("|", "\\|");
  return [header, header.map(() => "---"), ...rows].map((row) => `| ${row.map(escape).join(" | ")} |`).join("\n");
}

export function formatGoalsText(goals: readonly Goal[]): string {
  return ["== Goals", ...goals.map((g) => `${g.met === null ? "n/a " : g.met ? "MET " : "MISS"}  ${g.goal}: ${g.measured} (target ${g.target})${g.heldBackBy ? `\n      held back by: ${g.heldBackBy}` : ""}`)].join("\n");
}

export function formatMarkdown(info: RunInfo, results: readonly ScenarioResult[], goals: readonly Goal[]): string {
  const machine = describeMachine();
  const out: string[] = [];
  out.push(`# Leadline benchmark (${info.mode} mode)`, "");
  out.push(`Run ${info.date}, ${Math.round(info.durationS)} s. Generated by \`pnpm --filter @leadline/bench bench${info.mode === "full" ? " --full" : ""}\`.`, "");
  out.push("## Machine", "");
  out.push(`- CPU: ${machine.cpuModel}, ${machine.cores} cores; memory ${machine.memoryGb} GB; ${machine.platform}; Node ${machine.node}`);
  out.push("- The load generator (this process, with variant D's OpenAI SDK), the LLM simulator, the API server, the delay proxy and PostgreSQL all share this machine: every CPU figure below is out of the same cores. Numbers are for comparison between variants measured side by side, not absolute capacity.", "");
  out.push("## Parameters", "");
  out.push(`- Database: ${info.database}, behind the bench's TCP delay proxy (server→client bytes held for the scenario's delay, in order; changed live between scenarios).`);
  out.push(`- Model profiles (LLM simulator): ${info.profiles.map((p) => `**${p.name}** first token ${p.firstTokenMs} ms, ${p.msPerToken} ms/token, ${p.replyTokens} tokens`).join("; ")}.`);
  out.push(`- Client: ${info.client}. ${info.clientReason}`);
  out.push(`- Server env: ${Object.entries(info.serverEnv).map(([k, v]) => `${k}=${v}`).join(", ")}.`);
  out.push("- Variants (interleaved message by message: each virtual user rotates through them, unless a scenario says otherwise):");
  for (const v of info.variants) out.push(`  - **${v.name}**: ${v.description}${v.flags ? ` (\`x-leadline-flags: ${v.flags}\`)` : ""}`);
  out.push("- Columns: TTFT = request start → first token at the client; total = request start → `done` event (D: end of the SDK stream); +TTFT / +total = p95 of the variant minus p95 of D; tail = last token → `done` at the client; bg lag = `background_runs.lag_ms` (reply commit → background work done); model lag = reply commit → the model lane done (stages that wait on a model call, e.g. score-in-detail, run on a queue of their own after the rest); msg/s = answered messages per second of the measured window. Times in ms. Only messages started inside the measured window count.", "");
  out.push(
    "## Goals",
    "",
    "At the goal point (plan-like profile, 20 ms DB round trip, 100 sessions). O's latency and background goals are judged on the scenario where O has the server to itself apart from D beside it (200 virtual users alternating D and O: about 100 concurrent O sessions on the server); the S/O ratio on the scenario with every variant interleaved at 100 sessions, where O shares the server and its connection pool with S and the single-flag variants. The same latency goals at low load: the goal point's profile and delay at 1 session per variant and at 10 sessions; and for the first messages after a silent minute. CPU per answered message: each variant alone, the server's CPU until the messages' background work drained, net of what the idle server uses over the same span (see the CPU scenarios). Throughput: the fast profile, O only.",
    "",
  );
  out.push(markdownTable(["goal", "target", "measured", "met", "held back by"], goals.map((g) => [g.goal, g.target, g.measured, g.met === null ? "n/a" : g.met ? "met" : "**missed**", g.heldBackBy ?? ""])), "");
  out.push("## Scenarios", "");
  for (const r of results) {
    out.push(`### ${r.id}`, "", `${describeLoad(r)}.`, "");
    out.push(markdownTable(HEADER, r.variants.map(variantRow)), "");
    const cpu = cpuTable(r);
    if (cpu) out.push("CPU per answered message, ms:", "", markdownTable(cpu.header, cpu.rows), "", ...cpu.notes.map((n) => `- ${n}`), "");
    out.push(`- ${describeResources(r)}`);
    const ratios = describeRatios(r);
    if (ratios) out.push(`- ${ratios}`);
    const problems = extraProblems(r);
    if (problems) out.push(`- ${problems}`);
    out.push("");
    if (r.purpose === "goals" || r.purpose === "mixed") out.push(...stageTable(r), "");
  }
  return out.join("\n");
}

/** Where each server variant's time goes at the goal point: p95 per stage. */
function stageTable(r: ScenarioResult): string[] {
  const server = r.variants.filter((v) => v.variant !== "D");
  const names = [...new Set(server.flatMap((v) => Object.keys(v.stagesP95)))].sort();
  const rows = server.map((v) => [v.variant, ms(v.untilHeaders.p95), ms(v.serverTtftP95), ms(v.dbMsP95), ms(v.criticalPostP95), ...names.map((n) => ms(v.stagesP95[n]))]);
  return [
    "Blocking stages at this point, p95 in ms (from `request_timings`; headers = request start → response headers at the client, which the server sends once chat.send is admitted (rate limits and budget checked in the database), so the request's way in plus admission; server TTFT = the server's own send start (after admission) → first token; background stages are not on the visitor's path):",
    "",
    markdownTable(["variant", "headers", "server TTFT", "db_ms", "critical_post_ms", ...names], rows),
  ];
}
