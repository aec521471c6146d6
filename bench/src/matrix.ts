/**
 * Which scenarios a run measures: the quick mode (about 9 minutes in all) and
 * the full matrix (about 25). A scenario is a model profile × a database
 * round-trip delay × a load (closed-loop concurrency, open-loop rate, a burst
 * after silence, or each variant alone for its CPU cost) × the variants in it.
 */
import type { ModelProfile } from "./system";
import { ALL_VARIANTS, CORE_VARIANTS, DIRECT, OPTIMIZED, SEQUENTIAL, type Variant } from "./variants";

/** Like the plan's 3.7 s call: about 0.9 s to the first token, then about 180 tokens. */
export const PLAN_PROFILE: ModelProfile = { name: "plan-like", firstTokenMs: 900, msPerToken: 15, replyTokens: 180 };
export const FAST_PROFILE: ModelProfile = { name: "fast", firstTokenMs: 20, msPerToken: 1, replyTokens: 40 };

export type LoadShape =
  /** N virtual users rotating through the variants; `perVariant`: N users for each variant instead, each keeping to its own. */
  | { kind: "closed"; concurrency: number; perVariant?: boolean }
  | { kind: "open"; ratePerSecond: number; maxInFlight: number }
  /** `visitors` per variant send a first message, then nothing reaches the server for `silenceMs`, then each sends its next one, all at once. */
  | { kind: "after-silence"; visitors: number; silenceMs: number }
  /** The idle server's CPU over `idleMs`, then each variant alone (a closed loop of `concurrency` for the measured window), counted until its background work drained. */
  | { kind: "cpu"; concurrency: number; idleMs: number };

export type Scenario = {
  id: string;
  /** Scenarios of one group share a fresh database, simulator and server, started when the group begins. */
  group: string;
  profile: ModelProfile;
  dbDelayMs: number;
  load: LoadShape;
  variants: readonly Variant[];
  warmupMs: number;
  measureMs: number;
  /**
   * What a goal is judged on: "goals" is O at the goal point with only D beside
   * it (200 virtual users alternating D and O: about 100 O sessions on the
   * server); "mixed" is the goal point with every variant interleaved (S/O
   * ratio); "low-load" the goal point's profile and delay at 1 and 10
   * sessions; "after-silence" the first messages after a quiet minute; "cpu"
   * the server's CPU per answered message and when idle.
   */
  purpose?: "goals" | "mixed" | "throughput" | "low-load" | "after-silence" | "cpu";
};

/** The point the goals are stated for: plan-like profile, 20 ms database round trip, 100 sessions. */
export const GOAL_POINT = { profile: PLAN_PROFILE.name, dbDelayMs: 20, concurrency: 100 } as const;

function scenario(group: string, profile: ModelProfile, dbDelayMs: number, load: LoadShape, variants: readonly Variant[], warmupS: number, measureS: number, purpose?: Scenario["purpose"]): Scenario {
  const only = variants.length > CORE_VARIANTS.length ? "-all" : variants === CORE_VARIANTS ? "" : `-${variants.map((v) => v.name).join("")}`;
  return { id: `${profile.name}/db${dbDelayMs}/${nameShape(load)}${only}`, group, profile, dbDelayMs, load, variants, warmupMs: warmupS * 1000, measureMs: measureS * 1000, ...(purpose ? { purpose } : {}) };
}

function nameShape(load: LoadShape): string {
  switch (load.kind) {
    case "closed":
      return `c${load.concurrency}${load.perVariant ? "-each" : ""}`;
    case "open":
      return `open${load.ratePerSecond}/s`;
    case "after-silence":
      return `after-silence${load.silenceMs / 1000}s`;
    case "cpu":
      return "cpu";
  }
}

/** The scenario's own fields, as its result repeats them. */
export function scenarioFields(scenario: Scenario) {
  return {
    id: scenario.id,
    profile: scenario.profile.name,
    dbDelayMs: scenario.dbDelayMs,
    load: scenario.load,
    warmupMs: scenario.warmupMs,
    measureMs: scenario.measureMs,
    ...(scenario.purpose ? { purpose: scenario.purpose } : {}),
  };
}

/** How long the scenario's load runs, before drains: for the progress log. */
export function plannedLoadMs(scenario: Scenario): number {
  const load = scenario.load;
  switch (load.kind) {
    case "closed":
    case "open":
      return scenario.warmupMs + scenario.measureMs;
    case "after-silence":
      return load.silenceMs + scenario.measureMs;
    case "cpu":
      return scenario.warmupMs + load.idleMs + scenario.variants.length * scenario.measureMs;
  }
}

const ONLY_O: readonly Variant[] = [OPTIMIZED];
/** Alone in turn, the costliest first: D last, as it leaves the server idle. */
const CPU_ORDER: readonly Variant[] = [OPTIMIZED, SEQUENTIAL, DIRECT];
const D_AND_O: readonly Variant[] = [DIRECT, OPTIMIZED];

const closed = (concurrency: number): LoadShape => ({ kind: "closed", concurrency });
const open = (ratePerSecond: number): LoadShape => ({ kind: "open", ratePerSecond, maxInFlight: 500 });
/** One visitor at a time per variant: rotating D, S and O through one user would take ~11 s a round, so each has its own. */
const closedEach = (concurrency: number): LoadShape => ({ kind: "closed", concurrency, perVariant: true });
/** Idle pool connections close after 30 s and cached entries expire: a minute is past both. */
const afterSilence: LoadShape = { kind: "after-silence", visitors: 10, silenceMs: 60_000 };
const cpu = (concurrency: number): LoadShape => ({ kind: "cpu", concurrency, idleMs: 10_000 });

/**
 * The goal point's profile and delay at low load, long enough for at least 30
 * measured messages per variant: S, the slowest (~5.3 s a message), sets the
 * window at 1 session; at 10 sessions a rotation through D, S and O takes ~11 s.
 */
function lowLoad(group: string, c1MeasureS: number, c10MeasureS: number): Scenario[] {
  return [
    scenario(group, PLAN_PROFILE, GOAL_POINT.dbDelayMs, closedEach(1), CORE_VARIANTS, 1, c1MeasureS, "low-load"),
    scenario(group, PLAN_PROFILE, GOAL_POINT.dbDelayMs, closed(10), CORE_VARIANTS, 3, c10MeasureS, "low-load"),
  ];
}

/**
 * Background work a scenario leaves queued keeps a server busy long after
 * its load (the worker is slower than O's arrivals at 100 sessions, and the
 * outbox relay re-enqueues what waits longer than 15 s), so the heavy
 * scenarios get a group, a fresh database and server, of their own.
 */

/**
 * About 7 minutes of load (plus start-ups and the drain of background work):
 * both profiles, DB delay 0 and 20 ms, 1, 10 and 100 sessions, D/S/O, the
 * singles at the goal point, a burst after a silent minute, and CPU per
 * message for each profile. Measured windows are kept longer than one
 * rotation through the variants, or the slowest variant (S) would crowd the
 * others out of the window. The CPU scenarios come last in their groups, on a
 * server warmed by the others.
 */
export function quickMatrix(): Scenario[] {
  const fast = FAST_PROFILE;
  const plan = PLAN_PROFILE;
  return [
    scenario("goal-O", plan, 20, closed(200), D_AND_O, 5, 15, "goals"),
    scenario("goal-mixed", plan, 20, closed(100), ALL_VARIANTS, 5, 20, "mixed"),
    ...lowLoad("plan", 170, 40),
    scenario("plan", plan, 20, open(20), CORE_VARIANTS, 3, 8),
    scenario("plan", plan, 20, afterSilence, D_AND_O, 0, 5, "after-silence"),
    // 10 s: about 80 plan-like messages per variant (at 5 s, 40 left the figure to a few messages' luck).
    scenario("plan", plan, 20, cpu(20), CPU_ORDER, 2, 10, "cpu"),
    scenario("fast", fast, 0, closed(1), CORE_VARIANTS, 1, 4),
    scenario("fast", fast, 0, closed(10), CORE_VARIANTS, 1, 5),
    scenario("fast", fast, 20, closed(10), CORE_VARIANTS, 1, 6),
    scenario("fast", fast, 0, cpu(10), CPU_ORDER, 2, 4, "cpu"),
    scenario("throughput", fast, 0, closed(100), ONLY_O, 2, 6, "throughput"),
  ];
}

/** About 16 minutes of load: both profiles × DB delay 0, 5, 20 ms × 1, 10, 100 sessions, open loops, longer goal points, the burst after silence and CPU per message. */
export function fullMatrix(): Scenario[] {
  const out: Scenario[] = [
    scenario("goal-O", PLAN_PROFILE, 20, closed(200), D_AND_O, 5, 60, "goals"),
    scenario("goal-mixed", PLAN_PROFILE, 20, closed(100), ALL_VARIANTS, 5, 60, "mixed"),
    ...lowLoad("low-load", 200, 60),
    scenario("low-load", PLAN_PROFILE, 20, afterSilence, D_AND_O, 0, 5, "after-silence"),
    scenario("low-load", PLAN_PROFILE, 20, cpu(20), CPU_ORDER, 3, 15, "cpu"),
  ];
  for (const profile of [PLAN_PROFILE, FAST_PROFILE]) {
    const fast = profile === FAST_PROFILE;
    for (const dbDelayMs of [0, 5, 20]) {
      const group = `${profile.name}-db${dbDelayMs}`;
      for (const concurrency of [1, 10, 100]) {
        // Measured first, above.
        if (!fast && dbDelayMs === GOAL_POINT.dbDelayMs && (concurrency === GOAL_POINT.concurrency || concurrency === 1 || concurrency === 10)) continue;
        const warmup = fast ? 2 : 5;
        // Longer than one rotation through the variants: S alone takes ~5 s at 100 sessions.
        const measure = fast ? (concurrency === 100 ? 20 : 10) : concurrency === 1 ? 40 : 25;
        const variants = fast && concurrency === 100 && dbDelayMs === 20 ? ALL_VARIANTS : CORE_VARIANTS;
        out.push(scenario(group, profile, dbDelayMs, closed(concurrency), variants, warmup, measure));
      }
      if (dbDelayMs === 20) out.push(scenario(group, profile, dbDelayMs, open(fast ? 100 : 20), CORE_VARIANTS, fast ? 2 : 5, 20));
      if (fast && dbDelayMs === 0) out.push(scenario(group, profile, dbDelayMs, cpu(10), CPU_ORDER, 3, 10, "cpu"));
    }
  }
  out.push(scenario("throughput-100", FAST_PROFILE, 0, closed(100), ONLY_O, 3, 12, "throughput"));
  out.push(scenario("throughput-200", FAST_PROFILE, 0, closed(200), ONLY_O, 3, 12, "throughput"));
  return out;
}
