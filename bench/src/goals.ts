/**
 * The issue's goals, judged on the measured numbers; a missed goal names the
 * stage (request_timings.stages p95, critical_post_ms, db_ms) or resource
 * that holds it back. O's latency goals are judged where O has the server to
 * itself (beside D only); the S/O ratio where every variant is interleaved.
 */
import type { VariantStats } from "./analyze";
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
    goals.push({
      goal: "O adds little before the first token",
      target: "TTFT p95(O) − p95(D) ≤ 25 ms",
      measured: `${fmt(o.addedTtftP95)} ms${alsoMixed((v) => v.addedTtftP95)}`,
      met: judge(o.addedTtftP95, (v) => v <= 25),
      heldBackBy: o.addedTtftP95 !== null && o.addedTtftP95 > 25 ? beforeFirstToken(o, point) : null,
    });
    goals.push({
      goal: "O blocks little after the last token",
      target: "last token → done p95(O) ≤ 25 ms",
      measured: `${fmt(o.tail.p95)} ms, critical_post_ms p95 ${fmt(o.criticalPostP95)} ms${alsoMixed((v) => v.tail.p95)}`,
      met: judge(o.tail.p95, (v) => v <= 25),
      heldBackBy: o.tail.p95 !== null && o.tail.p95 > 25 ? afterLastToken(o) : null,
    });
    const od = point.ratios.odTotalP95;
    goals.push({
      goal: "O's total time is the model's",
      target: "total p95(O) / p95(D) ≤ 1.02",
      measured: `${fmt(od, 3)}${alsoMixed((_, r) => r.ratios.odTotalP95, 3)}`,
      met: judge(od, (v) => v <= 1.02),
      heldBackBy: od !== null && od > 1.02 ? `O adds ${fmt(o.addedTotalP95)} ms at p95: before the first token ${fmt(o.addedTtftP95)} ms, after the last token ${fmt(o.tail.p95)} ms (see the two goals above)` : null,
    });
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
  goals.push(throughputGoal(results));
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
        ? `CPU (% of one core; the machine has 200 %): ${cpu}; server event-loop p99 ${fmt(best.server.eventLoopP99Ms, 0)} ms; O's blocking stages p95: ${top(best.variants[0]?.stagesP95 ?? {})}, db_ms p95 ${fmt(best.variants[0]?.dbMsP95)} ms`
        : null,
  };
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
