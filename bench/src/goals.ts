/**
 * The issue's goals, judged on the measured numbers; a missed goal names the
 * stage (request_timings.stages p95, critical_post_ms, db_ms) or resource
 * that holds it back. O's latency goals are judged where O has the server to
 * itself (beside D only), again at low load and after a silent minute; the
 * S/O ratio where every variant is interleaved; CPU per message where each
 * variant ran alone.
 */
import type { VariantStats } from "./analyze";
import { idleRestMsPerSecond, judgeCpuPerMessage } from "./cpu-cost";
import type { ScenarioResult } from "./scenario";

export type Goal = { goal: string; target: string; measured: string; met: boolean | null; heldBackBy: string | null };

const fmt = (x: number | null | undefined, digits = 1) => (x == null ? "n/a" : x.toFixed(digits));

function judge(value: number | null | undefined, ok: (v: number) => boolean): boolean | null {
  return value == null ? null : ok(value);
}

function notMeasured(goal: string, target: string): Goal {
  return { goal, target, measured: "not in this run", met: null, heldBackBy: null };
}

export function evaluateGoals(results: readonly ScenarioResult[]): Goal[] {
  const point = results.find((r) => r.purpose === "goals");
  const mixed = results.find((r) => r.purpose === "mixed");
  const o = point?.variants.find((v) => v.variant === "O");
  const goals: Goal[] = [];
  const alsoMixed = (pick: (v: VariantStats, r: ScenarioResult) => number | null | undefined, digits = 1) => {
    const mo = mixed?.variants.find((v) => v.variant === "O");
    return mixed && mo ? `; with all variants interleaved: ${fmt(pick(mo, mixed), digits)}` : "";
  };

  if (point && o) {
    goals.push(...latencyGoals(point, o, "", alsoMixed));
    const lag = o.backgroundLag?.p95 ?? null;
    // Messages whose background work had not finished when the drain gave up are the slowest: the p95 is then a lower bound.
    const pending = point.pendingAfterDrain;
    goals.push({
      goal: "background work done soon after the reply",
      target: "background_runs.lag_ms p95(O) ≤ 1000 ms",
      measured: `${pending ? "≥ " : ""}${fmt(lag, 0)} ms${pending ? ` (${pending} messages not yet done ${Math.round(point.drainMs / 1000)} s after the load)` : ""}${alsoMixed((v) => v.backgroundLag?.p95, 0)}`,
      met: judge(lag, (v) => v <= 1000 && pending === 0),
      heldBackBy:
        lag !== null && (lag > 1000 || pending > 0)
          ? `the queue: the worker finished ${fmt(point.backgroundDonePerSecond)} messages' background work per second while O answered ${fmt(o.throughput)}/s, so jobs wait behind a growing backlog${point.duplicateJobs ? ` (and ${point.duplicateJobs} jobs so far were duplicates the outbox relay re-enqueued for messages already queued)` : ""}; ${point.cpuPercent.worker === undefined ? `the worker runs in a worker thread of the server process (ROLE=all: its own event loop, the same cores), the process at ${fmt(point.cpuPercent.server, 0)} % of a core; the request-serving loop's delay p99 ${fmt(point.server.eventLoopP99Ms, 0)} ms` : `the worker process used ${fmt(point.cpuPercent.worker, 0)} % of a core`}; background stages p95 per job: ${top(o.backgroundStagesP95)}`
          : null,
    });
    if (o.modelLaneLag?.p95 != null) {
      // Reported beside the goal, not in it: a stage that waits on a model call cannot finish sooner than the model answers.
      const last = goals[goals.length - 1]!;
      last.measured += `; the model lane (score-in-detail's model call, after the rest) p95 ${fmt(o.modelLaneLag.p95, 0)} ms after the reply`;
    }
  } else {
    goals.push(notMeasured("O at the goal point (plan-like, 20 ms, 100 sessions)", "TTFT, tail, total and background-lag goals"));
  }

  if (mixed) {
    const so = mixed.ratios.soAddedTotal;
    const s = mixed.variants.find((v) => v.variant === "S");
    const mo = mixed.variants.find((v) => v.variant === "O");
    goals.push({
      goal: "S/O ratio of added latency",
      target: "(S − D) / (O − D) at total p95 ≥ 10",
      measured: `${fmt(so)} (S adds ${fmt(s?.addedTotalP95, 0)} ms, O adds ${fmt(mo?.addedTotalP95)} ms)`,
      met: judge(so, (v) => v >= 10),
      heldBackBy: so !== null && so < 10 && mo ? `O's added latency (${afterLastToken(mo)}; ${beforeFirstToken(mo, mixed)})` : null,
    });
  } else {
    goals.push(notMeasured("S/O ratio of added latency", "(S − D) / (O − D) at total p95 ≥ 10"));
  }

  const judged = [point, mixed].filter((r) => r !== undefined);
  if (judged.length) {
    const lost = judged.reduce((sum, r) => sum + (r.lostBackground ?? r.pendingAfterDrain), 0);
    goals.push({
      goal: "no lost events",
      target: "every answered message has a background_runs row after the run drains",
      measured: `${lost} missing (${judged.map((r) => r.id).join(", ")})`,
      met: lost === 0,
      heldBackBy: lost > 0 ? judged.map((r) => `${r.id}: ${r.lostBackground ?? r.pendingAfterDrain}`).join("; ") : null,
    });
    const errors = judged.reduce((sum, r) => sum + r.sessionErrors + r.variants.reduce((n, v) => n + v.errors, 0), 0);
    goals.push({
      goal: "no errors",
      target: "0 failed messages or sessions at the goal point",
      measured: String(errors),
      met: errors === 0,
      heldBackBy: errors > 0 ? judged.flatMap((r) => r.variants.filter((v) => v.errors).map((v) => `${r.id} ${v.variant}: ${v.errorKinds.join(" | ")}`)).join("; ") : null,
    });
  }
  goals.push(...lowLoadGoals(results));
  goals.push(afterSilenceGoal(results));
  goals.push(...cpuGoals(results));
  goals.push(throughputGoal(results));
  return goals;
}

/**
 * O's three latency goals on one scenario: little added before the first
 * token, little blocking after the last, total time the model's. `where` names
 * the scenario in the goal; `also` adds a second figure to the measured text.
 */
function latencyGoals(r: ScenarioResult, o: VariantStats, where: string, also: (pick: (v: VariantStats, r: ScenarioResult) => number | null | undefined, digits?: number) => string = () => ""): Goal[] {
  const od = r.ratios.odTotalP95;
  return [
    {
      goal: `O adds little before the first token${where}`,
      target: "TTFT p95(O) − p95(D) ≤ 25 ms",
      measured: `${fmt(o.addedTtftP95)} ms${also((v) => v.addedTtftP95)}`,
      met: judge(o.addedTtftP95, (v) => v <= 25),
      heldBackBy: o.addedTtftP95 !== null && o.addedTtftP95 > 25 ? beforeFirstToken(o, r) : null,
    },
    {
      goal: `O blocks little after the last token${where}`,
      target: "last token → done p95(O) − the same for D ≤ 25 ms (D's is the model's own end: its finish chunk comes a token interval after the last token, and O cannot know the reply is whole before it)",
      measured: `${fmt(o.addedTailP95)} ms (O ${fmt(o.tail.p95)}, D ${fmt(r.variants.find((v) => v.variant === "D")?.tail.p95)}), critical_post_ms p95 ${fmt(o.criticalPostP95)} ms${also((v) => v.addedTailP95)}`,
      met: judge(o.addedTailP95, (v) => v <= 25),
      heldBackBy: o.addedTailP95 !== null && o.addedTailP95 > 25 ? afterLastToken(o) : null,
    },
    {
      goal: `O's total time is the model's${where}`,
      target: "total p95(O) / p95(D) ≤ 1.02",
      measured: `${fmt(od, 3)}${also((_, m) => m.ratios.odTotalP95, 3)}`,
      met: judge(od, (v) => v <= 1.02),
      heldBackBy: od !== null && od > 1.02 ? `O adds ${fmt(o.addedTotalP95)} ms at p95: before the first token ${fmt(o.addedTtftP95)} ms, after the last token ${fmt(o.addedTailP95)} ms (see the two goals above)` : null,
    },
  ];
}

/** The goal point's profile and delay at 1 session per variant and at 10 sessions: the same three goals, with each variant's sample count. */
function lowLoadGoals(results: readonly ScenarioResult[]): Goal[] {
  const lowLoad = results.filter((r) => r.purpose === "low-load");
  if (!lowLoad.length) return [notMeasured("O at low load (plan-like, 20 ms, 1 session per variant and 10 sessions)", "the TTFT, tail and total goals")];
  return lowLoad.flatMap((r) => {
    const o = r.variants.find((v) => v.variant === "O");
    const where = r.load.kind === "closed" ? ` at ${r.load.concurrency} session${r.load.concurrency === 1 ? "" : "s"}${r.load.perVariant ? " per variant" : ""} (${r.id})` : ` (${r.id})`;
    const counts = `; n ${r.variants.map((v) => `${v.variant} ${v.n}`).join(", ")}`;
    return o ? latencyGoals(r, o, where, () => counts) : [notMeasured(`O${where}`, "the TTFT, tail and total goals")];
  });
}

/** The first messages after a minute without traffic: pool connections, prepared statements and caches the quiet let go. */
function afterSilenceGoal(results: readonly ScenarioResult[]): Goal {
  const goal = "O adds little to the first messages after a silent minute";
  const target = "TTFT p95(O) − p95(D) ≤ 25 ms";
  const r = results.find((x) => x.purpose === "after-silence");
  const o = r?.variants.find((v) => v.variant === "O");
  if (!r || !o) return notMeasured(goal, target);
  return {
    goal,
    target,
    measured: `${fmt(o.addedTtftP95)} ms (total: ${fmt(o.addedTotalP95)} ms; n ${r.variants.map((v) => `${v.variant} ${v.n}`).join(", ")}, all sent at once)`,
    met: judge(o.addedTtftP95, (v) => v <= 25),
    heldBackBy: o.addedTtftP95 !== null && o.addedTtftP95 > 25 ? beforeFirstToken(o, r) : null,
  };
}

/** Net server CPU per answered O message (background included), by profile. */
const CPU_LIMIT_MS: Record<string, number> = { fast: 3, "plan-like": 6 };
const IDLE_LIMIT_MS_PER_SECOND = 10;

function cpuGoals(results: readonly ScenarioResult[]): Goal[] {
  const goals: Goal[] = [];
  const measured = results.filter((r) => r.purpose === "cpu" && r.cpu);
  for (const [profile, limit] of Object.entries(CPU_LIMIT_MS)) {
    const goal = `server CPU per answered O message (${profile} profile)`;
    const target = `background work included, net of idle: ≤ ${limit} ms, or ≤ 1.5 × the load generator's CPU per D message`;
    const r = measured.find((x) => x.profile === profile);
    const o = r?.cpu?.perMessage.find((m) => m.variant === "O");
    if (!r || !o) {
      goals.push(notMeasured(goal, target));
      continue;
    }
    const d = r.cpu?.perMessage.find((m) => m.variant === "D");
    const pending = r.cpu?.phases.find((p) => p.variant === "O")?.pending ?? 0;
    const { limitMs, met } = judgeCpuPerMessage(o.netMs, limit, d?.generatorMs ?? null);
    const stats = r.variants.find((v) => v.variant === "O");
    goals.push({
      goal,
      target,
      measured: `${pending ? "≥ " : ""}${fmt(o.netMs, 2)} ms (raw ${fmt(o.rawMs, 2)}, idle share ${fmt(o.idleMs, 2)}; ${o.answered} messages${pending ? `, ${pending} with background work unfinished` : ""}); the load generator per D message ${fmt(d?.generatorMs, 2)} ms, so the limit is ${fmt(limitMs, 2)} ms`,
      met,
      heldBackBy: met === false ? `the server process's CPU: per message its main thread (the API's event loop) ${fmt(o.mainThreadMs, 2)} ms, its busiest other thread (${r.cpuPercent.worker === undefined ? "the worker thread: background work" : "not the worker, a process of its own"}) ${fmt(o.busiestThreadMs, 2)} ms, the rest (GC, the compiler, libuv's pool${r.cpuPercent.worker === undefined ? "" : ", the worker process"}) ${fmt(o.restMs, 2)} ms; meanwhile postgres ${fmt(o.postgresMs, 2)} ms per message; O's stage times (wall, p95): on the visitor's path ${top(stats?.stagesP95 ?? {})}, in the background ${top(stats?.backgroundStagesP95 ?? {})}` : null,
    });
  }
  const idle = measured.map((r) => ({ r, idle: r.cpu?.idle })).filter((x) => x.idle && Number.isFinite(x.idle.serverMsPerSecond));
  const goal = "idle server's CPU";
  const target = `≤ ${IDLE_LIMIT_MS_PER_SECOND} ms CPU per second (no traffic, the worker on)`;
  if (!idle.length) return [...goals, notMeasured(goal, target)];
  const worst = [...idle].sort((a, b) => (b.idle?.serverMsPerSecond ?? 0) - (a.idle?.serverMsPerSecond ?? 0))[0];
  const w = worst?.idle;
  const met = idle.every((x) => (x.idle?.serverMsPerSecond ?? 0) <= IDLE_LIMIT_MS_PER_SECOND);
  goals.push({
    goal,
    target,
    measured: idle.map((x) => `${fmt(x.idle?.serverMsPerSecond)} ms/s (${x.r.id}, over ${fmt(x.idle?.seconds, 0)} s)`).join("; "),
    met,
    heldBackBy:
      !met && w && worst
        ? `${worst.r.id}: the server's main thread (the API's event loop) ${fmt(w.mainThreadMsPerSecond)} ms/s, its busiest other thread (${worst.r.cpuPercent.worker === undefined ? "the worker thread" : "not the worker, a process of its own"}) ${fmt(w.busiestThreadMsPerSecond)} ms/s, the rest (GC, the compiler, libuv's pool${worst.r.cpuPercent.worker === undefined ? "" : ", the worker process"}) ${fmt(idleRestMsPerSecond(w))} ms/s; postgres meanwhile ${fmt(w.postgresMsPerSecond)} ms/s${worst.r.cpu?.pendingBeforeIdle ? `; ${worst.r.cpu.pendingBeforeIdle} background jobs of earlier scenarios were still pending when it began` : ""}`
        : null,
  });
  return goals;
}

function throughputGoal(results: readonly ScenarioResult[]): Goal {
  const candidates = results.filter((r) => r.purpose === "throughput");
  const best = [...candidates].sort((a, b) => (b.variants[0]?.throughput ?? 0) - (a.variants[0]?.throughput ?? 0))[0];
  const rate = best?.variants[0]?.throughput ?? null;
  if (!best) return notMeasured("throughput of one server process (fast profile, O)", "≥ 300 messages/s, closed loop");
  const cpu = Object.entries(best.cpuPercent)
    .map(([name, pct]) => `${name} ${pct.toFixed(0)} %`)
    .join(", ");
  return {
    goal: "throughput of one server process (fast profile, O)",
    target: "≥ 300 messages/s, closed loop",
    measured: `${fmt(rate, 0)} messages/s (${best.id}), total p95 ${fmt(best.variants[0]?.total.p95, 0)} ms`,
    met: judge(rate, (v) => v >= 300),
    heldBackBy:
      rate !== null && rate < 300
        ? `${bindingResource(best.cpuPercent)}. CPU (% of one core; the machine has 200 %): ${cpu}; server event-loop p99 ${fmt(best.server.eventLoopP99Ms, 0)} ms; O's blocking stages p95: ${top(best.variants[0]?.stagesP95 ?? {})}, db_ms p95 ${fmt(best.variants[0]?.dbMsP95)} ms`
        : null,
  };
}

/**
 * Which resource stops a closed loop from going faster: one Node process
 * serves its requests on one event loop, so a server near 100 % of a core
 * is bound by that core whatever the machine has left; otherwise the
 * machine's cores, if they are all busy.
 */
function bindingResource(cpuPercent: Record<string, number>): string {
  const server = cpuPercent.server ?? 0;
  const machine = cpuPercent.machine ?? 0;
  if (server >= 90) return `Stopped by the API server's CPU: its process at ${server.toFixed(0)} % of one core, and a Node process answers on one event loop (more answers per second need less CPU per message, or more processes)`;
  if (machine >= 185) return `Stopped by the machine's CPU: ${machine.toFixed(0)} % of its 200 %, shared by the server, the simulator, postgres and the load generator`;
  return `Not stopped by CPU (server ${server.toFixed(0)} % of a core, machine ${machine.toFixed(0)} %): see the waits below`;
}

function beforeFirstToken(v: VariantStats, point: ScenarioResult): string {
  const lookups = Object.entries(v.stagesP95).filter(([name]) => name.startsWith("lookups"));
  return `before the model call: ${lookups.map(([n, ms]) => `${n} p95 ${ms.toFixed(1)} ms`).join(", ") || "lookups n/a"} at ${point.dbDelayMs} ms per DB round trip (db_ms p95 ${fmt(v.dbMsP95)} ms, lookups and save together); the server's own first token p95 ${fmt(v.serverTtftP95, 0)} ms after the send began, past admission (the client's ${fmt(v.ttft.p95, 0)}); response headers, which the server sends once chat.send is admitted (rate limits and budget checked in the database), reached the client at p95 ${fmt(v.untilHeaders.p95, 0)} ms (the request's way in, accept and the server's event loop, plus admission); server event-loop p99 ${fmt(point.server.eventLoopP99Ms, 0)} ms`;
}

function afterLastToken(v: VariantStats): string {
  const after = Object.fromEntries(Object.entries(v.stagesP95).filter(([name]) => !name.startsWith("lookups")));
  return `critical_post_ms p95 ${fmt(v.criticalPostP95)} ms; slowest blocking stages p95: ${top(after)}`;
}

function top(p95: Record<string, number>, count = 3): string {
  const entries = Object.entries(p95)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count);
  return entries.length ? entries.map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`).join(", ") : "n/a";
}
