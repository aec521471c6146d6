/**
 * From raw samples and the server's rows to the numbers the report shows:
 * per variant latency percentiles, added latency over D, the blocking tail,
 * background lag, throughput, errors, stage breakdowns; per scenario the
 * server's resource use and the S/O and O/D ratios.
 */
import { parseFlagOverride } from "@leadline/flags/definitions";

import type { LoadResult, Sample } from "./load";
import type { MessageRows } from "./observe";
import { ratio, subtract, summarize, type Summary } from "./stats";
import type { Variant } from "./variants";

export type VariantStats = {
  variant: string;
  n: number;
  errors: number;
  /** A few distinct error messages, for the report. */
  errorKinds: string[];
  ttft: Summary;
  /** Request start → response headers at the client (see MessageResult.headersAt); D: the simulator's. */
  untilHeaders: Summary;
  total: Summary;
  /** From the last token to "done", as the client sees it. */
  tail: Summary;
  addedTtftP95: number | null;
  addedTotalP95: number | null;
  /** tail p95 minus D's: what the variant adds after the model's last token (D's own tail is the model's end, its finish chunk one token interval later). */
  addedTailP95: number | null;
  /** Server variants: background_runs.lag_ms of the answered messages. */
  backgroundLag: Summary | null;
  /** Server variants: reply commit → the model lane's stages done (score-in-detail's model call), for messages that had one. */
  modelLaneLag: Summary | null;
  /** Answered messages without a background_runs row after the drain. */
  lostBackground: number;
  /** Answered messages whose request_timings.flags differ from what the header asked for. */
  flagMismatches: number;
  throughput: number;
  /** p95 per stage (request_timings.stages, "name/mode"), critical_post_ms and db_ms. */
  stagesP95: Record<string, number>;
  backgroundStagesP95: Record<string, number>;
  criticalPostP95: number | null;
  dbMsP95: number | null;
  /** p95 of the server's own time to first token (request_timings): what the client's adds is delivery. */
  serverTtftP95: number | null;
};

export function analyzeVariants(load: LoadResult, variants: readonly Variant[], rows: MessageRows): VariantStats[] {
  const seconds = (load.measureEnd - load.measureStart) / 1000;
  const stats = variants.map((variant) => analyzeVariant(variant, load.samples.filter((s) => s.measured && s.variant === variant.name), rows, seconds));
  addOverDirect(stats);
  return stats;
}

/** Fills in each variant's p95 over D's (TTFT and total), when D is among them. */
export function addOverDirect(stats: VariantStats[]): void {
  const direct = stats.find((s) => s.variant === "D");
  for (const s of stats) {
    s.addedTtftP95 = subtract(s.ttft.p95, direct?.ttft.p95);
    s.addedTotalP95 = subtract(s.total.p95, direct?.total.p95);
    s.addedTailP95 = subtract(s.tail.p95, direct?.tail.p95);
  }
}

function analyzeVariant(variant: Variant, samples: Sample[], rows: MessageRows, seconds: number): VariantStats {
  const ok = samples.filter((s) => !s.error && s.doneAt !== null);
  const failed = samples.filter((s) => s.error);
  const answered = ok.map((s) => s.messageId).filter((id): id is string => id !== null);
  const server = variant.kind === "server";
  const expectedFlags = server ? parseFlagOverride(variant.flags) : null;
  const timings = answered.map((id) => rows.timings.get(id)).filter((t) => t !== undefined);
  const background = answered.map((id) => rows.background.get(id)).filter((b) => b !== undefined);
  return {
    variant: variant.name,
    n: samples.length,
    errors: failed.length,
    errorKinds: [...new Set(failed.map((s) => (s.error ?? "").slice(0, 120)))].slice(0, 3),
    ttft: summarize(ok.filter((s) => s.firstTokenAt !== null).map((s) => (s.firstTokenAt as number) - s.startedAt)),
    untilHeaders: summarize(ok.filter((s) => typeof s.headersAt === "number").map((s) => (s.headersAt as number) - s.startedAt)),
    total: summarize(ok.map((s) => (s.doneAt as number) - s.startedAt)),
    tail: summarize(ok.filter((s) => s.lastTokenAt !== null).map((s) => (s.doneAt as number) - (s.lastTokenAt as number))),
    addedTtftP95: null,
    addedTotalP95: null,
    addedTailP95: null,
    backgroundLag: server ? summarize(background.map((b) => b.lagMs)) : null,
    modelLaneLag: server ? summarize(background.flatMap((b) => b.stages.filter((st) => st.lagMs !== undefined).map((st) => st.lagMs as number))) : null,
    lostBackground: server ? answered.length - background.length : 0,
    flagMismatches: expectedFlags ? timings.filter((t) => Object.entries(expectedFlags).some(([name, on]) => t.flags[name] !== on)).length : 0,
    throughput: seconds > 0 ? ok.length / seconds : 0,
    stagesP95: p95By(timings.flatMap((t) => t.stages.filter((st) => st.mode !== "background").map((st) => [`${st.name}/${st.mode}`, st.ms] as const))),
    backgroundStagesP95: p95By(background.flatMap((b) => b.stages.map((st) => [st.name, st.ms] as const))),
    criticalPostP95: summarize(timings.map((t) => t.criticalPostMs ?? Number.NaN)).p95,
    dbMsP95: summarize(timings.map((t) => t.dbMs ?? Number.NaN)).p95,
    serverTtftP95: summarize(timings.map((t) => t.timeToFirstTokenMs ?? Number.NaN)).p95,
  };
}

function p95By(pairs: readonly (readonly [string, number])[]): Record<string, number> {
  const groups = new Map<string, number[]>();
  for (const [key, ms] of pairs) (groups.get(key) ?? groups.set(key, []).get(key))?.push(ms);
  const out: Record<string, number> = {};
  for (const [key, values] of groups) out[key] = summarize(values).p95 ?? 0;
  return out;
}

export type Ratios = {
  /** (S − D) / (O − D) at p95 of total time; O's added time is floored at 1 ms. */
  soAddedTotal: number | null;
  soAddedTtft: number | null;
  soTotalP95: number | null;
  odTotalP95: number | null;
};

export function computeRatios(stats: readonly VariantStats[]): Ratios {
  const find = (name: string) => stats.find((s) => s.variant === name);
  const [d, s, o] = [find("D"), find("S"), find("O")];
  const floor = (x: number | null | undefined) => (x == null ? null : Math.max(x, 1));
  return {
    soAddedTotal: ratio(s?.addedTotalP95, floor(o?.addedTotalP95)),
    soAddedTtft: ratio(s?.addedTtftP95, floor(o?.addedTtftP95)),
    soTotalP95: ratio(s?.total.p95, o?.total.p95),
    odTotalP95: ratio(o?.total.p95, d?.total.p95),
  };
}
