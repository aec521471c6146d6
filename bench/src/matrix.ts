/**
 * Which scenarios a run measures: the quick mode (about 2 minutes) and the
 * full matrix (about 15). A scenario is a model profile × a database
 * round-trip delay × a load (closed-loop concurrency or open-loop rate) ×
 * the variants interleaved in it.
 */
import type { ModelProfile } from "./system";
import { ALL_VARIANTS, CORE_VARIANTS, DIRECT, OPTIMIZED, type Variant } from "./variants";

/** Like the plan's 3.7 s call: about 0.9 s to the first token, then about 180 tokens. */
export const PLAN_PROFILE: ModelProfile = { name: "plan-like", firstTokenMs: 900, msPerToken: 15, replyTokens: 180 };
export const FAST_PROFILE: ModelProfile = { name: "fast", firstTokenMs: 20, msPerToken: 1, replyTokens: 40 };

export type LoadShape = { kind: "closed"; concurrency: number } | { kind: "open"; ratePerSecond: number; maxInFlight: number };

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
   * server); "mixed" is the goal point with every variant interleaved (S/O ratio).
   */
  purpose?: "goals" | "mixed" | "throughput";
};

/** The point the goals are stated for: plan-like profile, 20 ms database round trip, 100 sessions. */
export const GOAL_POINT = { profile: PLAN_PROFILE.name, dbDelayMs: 20, concurrency: 100 } as const;

function scenario(group: string, profile: ModelProfile, dbDelayMs: number, load: LoadShape, variants: readonly Variant[], warmupS: number, measureS: number, purpose?: Scenario["purpose"]): Scenario {
  const shape = load.kind === "closed" ? `c${load.concurrency}` : `open${load.ratePerSecond}/s`;
  const only = variants.length > CORE_VARIANTS.length ? "-all" : variants === CORE_VARIANTS ? "" : `-${variants.map((v) => v.name).join("")}`;
  return { id: `${profile.name}/db${dbDelayMs}/${shape}${only}`, group, profile, dbDelayMs, load, variants, warmupMs: warmupS * 1000, measureMs: measureS * 1000, ...(purpose ? { purpose } : {}) };
}

const ONLY_O: readonly Variant[] = [OPTIMIZED];
const D_AND_O: readonly Variant[] = [DIRECT, OPTIMIZED];

const closed = (concurrency: number): LoadShape => ({ kind: "closed", concurrency });
const open = (ratePerSecond: number): LoadShape => ({ kind: "open", ratePerSecond, maxInFlight: 500 });

/**
 * Background work a scenario leaves queued keeps a server busy long after
 * its load (the worker is slower than O's arrivals at 100 sessions, and the
 * outbox relay re-enqueues what waits longer than 15 s), so the heavy
 * scenarios get a group, a fresh database and server, of their own.
 */

/**
 * About 2 minutes of load (plus start-ups and the drain of background work):
 * both profiles, DB delay 0 and 20 ms, 1, 10 and 100 sessions, D/S/O, the
 * singles at the goal point. Measured windows are kept longer than one
 * rotation through the variants, or the slowest variant (S) would crowd the
 * others out of the window.
 */
export function quickMatrix(): Scenario[] {
  const fast = FAST_PROFILE;
  const plan = PLAN_PROFILE;
  return [
    scenario("goal-O", plan, 20, closed(200), D_AND_O, 5, 15, "goals"),
    scenario("goal-mixed", plan, 20, closed(100), ALL_VARIANTS, 5, 20, "mixed"),
    scenario("plan", plan, 20, closed(1), CORE_VARIANTS, 1, 13),
    scenario("plan", plan, 0, closed(10), CORE_VARIANTS, 3, 9),
    scenario("plan", plan, 20, open(20), CORE_VARIANTS, 3, 8),
    scenario("fast", fast, 0, closed(1), CORE_VARIANTS, 1, 4),
    scenario("fast", fast, 0, closed(10), CORE_VARIANTS, 1, 5),
    scenario("fast", fast, 20, closed(10), CORE_VARIANTS, 1, 6),
    scenario("throughput", fast, 0, closed(100), ONLY_O, 2, 6, "throughput"),
  ];
}

/** About 11 minutes of load: both profiles × DB delay 0, 5, 20 ms × 1, 10, 100 sessions, open loops, longer goal points. */
export function fullMatrix(): Scenario[] {
  const out: Scenario[] = [
    scenario("goal-O", PLAN_PROFILE, 20, closed(200), D_AND_O, 5, 60, "goals"),
    scenario("goal-mixed", PLAN_PROFILE, 20, closed(100), ALL_VARIANTS, 5, 60, "mixed"),
  ];
  for (const profile of [PLAN_PROFILE, FAST_PROFILE]) {
    const fast = profile === FAST_PROFILE;
    for (const dbDelayMs of [0, 5, 20]) {
      const group = `${profile.name}-db${dbDelayMs}`;
      for (const concurrency of [1, 10, 100]) {
        if (!fast && dbDelayMs === GOAL_POINT.dbDelayMs && concurrency === GOAL_POINT.concurrency) continue; // measured first, above
        const warmup = fast ? 2 : 5;
        // Longer than one rotation through the variants: S alone takes ~5 s at 100 sessions.
        const measure = fast ? (concurrency === 100 ? 20 : 10) : concurrency === 1 ? 40 : 25;
        const variants = fast && concurrency === 100 && dbDelayMs === 20 ? ALL_VARIANTS : CORE_VARIANTS;
        out.push(scenario(group, profile, dbDelayMs, closed(concurrency), variants, warmup, measure));
      }
      if (dbDelayMs === 20) out.push(scenario(group, profile, dbDelayMs, open(fast ? 100 : 20), CORE_VARIANTS, fast ? 2 : 5, 20));
    }
  }
  out.push(scenario("throughput-100", FAST_PROFILE, 0, closed(100), ONLY_O, 3, 12, "throughput"));
  out.push(scenario("throughput-200", FAST_PROFILE, 0, closed(200), ONLY_O, 3, 12, "throughput"));
  return out;
}
