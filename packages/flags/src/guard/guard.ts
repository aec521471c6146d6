import { sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { recordEvent, type PendingDelivery } from "@leadline/db/events";
import { startLeaderLoop } from "@leadline/db/leader";
import { alerts, auditLog } from "@leadline/db/schema";

import { FLAG_NAMES } from "../definitions";
import type { UnleashAdmin } from "../unleash/admin-api";
import { compareCohorts, type CohortComparison } from "./cohorts";

export type GuardOptions = {
  windowMinutes: number;
  /** Fewer messages than this in either cohort: no judgement. */
  minSamples: number;
  /** The enabled cohort is degraded when its p95 exceeds control × ratio + marginMs (total or first token)… */
  latencyRatio: number;
  latencyMarginMs: number;
  /** …or its error rate exceeds control's by this much. */
  errorRateMargin: number;
};

export const defaultGuardOptions: GuardOptions = { windowMinutes: 15, minSamples: 50, latencyRatio: 1.2, latencyMarginMs: 50, errorRateMargin: 0.02 };

/** The rollout steps; a rollback goes to the next lower one (50 → 10 → 0). */
export const ROLLOUT_STEPS = [0, 10, 50, 100] as const;

export type GuardDecision =
  | { flag: string; action: "skipped"; reason: "not in rollout" | "too few samples" | "healthy"; comparison?: CohortComparison; rollout?: number }
  | { flag: string; action: "rolled back"; from: number; to: number; reason: string; comparison: CohortComparison };

/**
 * Unleash's open-source edition has no automatic safeguards: this is ours.
 * For each flag in a partial rollout, compares the enabled cohort with the
 * control cohort; when the enabled one is worse beyond the thresholds, steps
 * the rollout down through the Admin API, raises an alert, writes the audit
 * log and emits a flag.rolled_back event (delivered to webhooks).
 */
export type DeliverWebhook = (deliveryId: string, organizationId: string) => Promise<void>;

export async function runGuardOnce(db: Database, admin: UnleashAdmin, options: GuardOptions = defaultGuardOptions, deliver?: DeliverWebhook): Promise<GuardDecision[]> {
  const decisions: GuardDecision[] = [];
  for (const flag of FLAG_NAMES) {
    const state = await admin.getFlag(flag);
    if (!state?.enabled || state.rollout <= 0 || state.rollout >= 100) {
      decisions.push({ flag, action: "skipped", reason: "not in rollout", rollout: state?.rollout });
      continue;
    }
    const comparison = await compareCohorts(db, flag, options.windowMinutes);
    if (comparison.enabled.samples < options.minSamples || comparison.control.samples < options.minSamples) {
      decisions.push({ flag, action: "skipped", reason: "too few samples", comparison, rollout: state.rollout });
      continue;
    }
    const reason = findDegradation(comparison, options);
    if (!reason) {
      decisions.push({ flag, action: "skipped", reason: "healthy", comparison, rollout: state.rollout });
      continue;
    }
    const to = [...ROLLOUT_STEPS].reverse().find((step) => step < state.rollout) ?? 0;
    // As an admin's change: the intent is on record before Unleash is asked, the outcome after.
    const orgs = await organizationsWithTraffic(db);
    await auditFlagChange(db, orgs, { flag, action: "flag.rollback.requested", reason, details: { flag, from: state.rollout, to } });
    try {
      await admin.setRollout(flag, to);
    } catch (error) {
      const failure = error instanceof Error ? error.message : String(error);
      await auditFlagChange(db, orgs, { flag, action: "flag.rollback.failed", reason, details: { flag, from: state.rollout, to, error: failure } });
      throw error;
    }
    const deliveries = await recordRollback(db, orgs, { flag, from: state.rollout, to, reason, comparison });
    for (const d of deliveries) await deliver?.(d.id, d.organizationId);
    decisions.push({ flag, action: "rolled back", from: state.rollout, to, reason, comparison });
  }
  return decisions;
}

function findDegradation({ enabled, control }: CohortComparison, o: GuardOptions): string | null {
  const fmt = (ms: number) => `${Math.round(ms)} ms`;
  if (enabled.p95TotalMs > control.p95TotalMs * o.latencyRatio + o.latencyMarginMs) {
    return `p95 total ${fmt(enabled.p95TotalMs)} with the flag vs ${fmt(control.p95TotalMs)} without`;
  }
  if (enabled.p95FirstTokenMs > control.p95FirstTokenMs * o.latencyRatio + o.latencyMarginMs) {
    return `p95 time to first token ${fmt(enabled.p95FirstTokenMs)} with the flag vs ${fmt(control.p95FirstTokenMs)} without`;
  }
  if (enabled.errorRate > control.errorRate + o.errorRateMargin) {
    return `error rate ${(enabled.errorRate * 100).toFixed(1)} % with the flag vs ${(control.errorRate * 100).toFixed(1)} % without`;
  }
  return null;
}

/**
 * An alert, an audit entry and a flag.rolled_back event in every organization
 * that had traffic in the window, with a webhook delivery for each endpoint
 * that wants the event. Returns the deliveries to send.
 */
async function recordRollback(db: Database, orgs: string[], r: { flag: string; from: number; to: number; reason: string; comparison: CohortComparison }) {
  const message = `Rolled ${r.flag} back from ${r.from} % to ${r.to} %: ${r.reason}`;
  const details = { flag: r.flag, from: r.from, to: r.to, reason: r.reason, comparison: r.comparison };
  return db.transaction(async (tx) => {
    const deliveries: PendingDelivery[] = [];
    for (const organizationId of orgs) {
      await tx.insert(alerts).values({ organizationId, rule: "rollout_guard", severity: r.to === 0 ? "critical" : "warning", message, details, endedAt: sql`now()` });
      await tx.insert(auditLog).values({ organizationId, actorType: "system", action: "flag.rollback", targetType: "flag", targetId: r.flag, reason: r.reason, details });
      deliveries.push(...(await recordEvent(tx, { organizationId, type: "flag.rolled_back", payload: details })));
    }
    return deliveries;
  });
}

/** The organizations a flag change touched: those with traffic in the last day. */
async function organizationsWithTraffic(db: Database): Promise<string[]> {
  const rows = await db.execute<{ organization_id: string }>(sql`select distinct organization_id from request_timings where created_at > now() - interval '1 day'`);
  return rows.map((r) => r.organization_id);
}

async function auditFlagChange(db: Database, orgs: string[], entry: { flag: string; action: string; reason: string; details: Record<string, unknown> }) {
  if (orgs.length === 0) return;
  await db.insert(auditLog).values(orgs.map((organizationId) => ({ organizationId, actorType: "system", action: entry.action, targetType: "flag", targetId: entry.flag, reason: entry.reason, details: entry.details })));
}

const GUARD_LOCK = 7_261_002;

/** Runs the guard every intervalMs in exactly one process of the cluster (see startLeaderLoop). */
export function startGuard(
  deps: { url: string; db: Database; admin: UnleashAdmin; deliver: DeliverWebhook; log: { warn(o: object, m?: string): void; info(o: object, m?: string): void } },
  intervalMs: number,
  options = defaultGuardOptions,
) {
  return startLeaderLoop({
    url: deps.url,
    lockKey: GUARD_LOCK,
    intervalMs,
    name: "rollout guard",
    log: deps.log,
    async run() {
      for (const decision of await runGuardOnce(deps.db, deps.admin, options, deps.deliver)) {
        if (decision.action === "rolled back") deps.log.warn({ ...decision }, "rollout guard rolled a flag back");
      }
    },
  });
}
