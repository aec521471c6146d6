import { and, eq, inArray, isNull, sql } from "drizzle-orm";

import type { Database } from "@leadline/db/client";
import { recordEvent, type PendingDelivery } from "@leadline/db/events";
import { startLeaderLoop } from "@leadline/db/leader";
import { alertRules, alerts, type AlertRuleKind } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { sumCosts } from "../metrics/costs";
import { summarizeLatency } from "../metrics/latency";
import { ALERT_RULE_KINDS, ALERT_WINDOW_MINUTES, loadAlertRules } from "./rules";

export type DeliverWebhook = (deliveryId: string, organizationId: string) => Promise<void>;

export type EvaluationOptions = {
  /** The moment the rules are judged at; windows end here. */
  now?: Date;
  /** Fewer messages (or background runs) than this in a window: no judgement either way. */
  minSamples?: number;
  /** Hands each webhook delivery to the queue, after its alert has committed. */
  deliver?: DeliverWebhook;
};

export const DEFAULT_MIN_SAMPLES = 20;

export type RuleOutcome = {
  organizationId: string;
  kind: AlertRuleKind;
  /** opened/resolved: this run changed the alert; firing/ok: it stays as it was; no data: too few samples to say. */
  state: "opened" | "resolved" | "firing" | "ok" | "no data" | "disabled";
  value: number | null;
  samples: number;
};

type Rule = typeof alertRules.$inferSelect;
type OpenAlert = typeof alerts.$inferSelect;
type Measurement = { value: number | null; samples: number; enough: boolean; from: Date; to: Date };

const MINUTE = 60_000;

/**
 * Judges every enabled alert rule of every organization with recent traffic
 * (or an alert still open) at `now`: a breach with no open alert of that rule
 * opens one (alert.opened event, webhooks); an open alert whose rule no
 * longer breaches, or was disabled, is resolved (alert.resolved). Too few
 * samples change nothing, so one slow message never pages anyone and an alert
 * closes only on evidence. Running it twice at the same moment changes
 * nothing the second time.
 */
export async function evaluateAlertRules(db: Database, options: EvaluationOptions = {}): Promise<RuleOutcome[]> {
  const now = options.now ?? new Date();
  const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
  const organizations = await findActiveOrganizations(db, now);
  const rules = await loadAlertRules(db, organizations);
  const open = organizations.length
    ? await db
        .select()
        .from(alerts)
        .where(and(inArray(alerts.organizationId, organizations), inArray(alerts.rule, [...ALERT_RULE_KINDS]), isNull(alerts.endedAt)))
    : [];
  const outcomes: RuleOutcome[] = [];
  const failures: unknown[] = [];
  for (const organizationId of organizations) {
    // One organization's failure (a query, a webhook hand-off) must not skip the others: reported after all ran.
    await evaluateOrganization(organizationId).catch((error: unknown) => failures.push(error));
  }
  if (failures.length) throw new AggregateError(failures, `alert evaluation failed for ${failures.length} organization(s)`);
  return outcomes;

  async function evaluateOrganization(organizationId: string) {
    const measure = createMeasurer(db, organizationId, now, minSamples);
    for (const rule of rules.filter((r) => r.organizationId === organizationId)) {
      const openAlert = open.find((a) => a.organizationId === organizationId && a.rule === rule.kind);
      if (!rule.enabled) {
        if (openAlert) await resolveAlert(db, openAlert, { reason: "rule disabled", value: null, samples: 0, at: now }, options.deliver);
        outcomes.push({ organizationId, kind: rule.kind, state: "disabled", value: null, samples: 0 });
        continue;
      }
      const m = await measure(rule);
      const breached = m.enough && m.value !== null && m.value > rule.threshold;
      let state: RuleOutcome["state"];
      if (!m.enough) state = "no data";
      else if (breached) state = openAlert ? "firing" : (await openAlertFor(db, rule, m, now, options.deliver)) ? "opened" : "firing";
      else if (openAlert) state = (await resolveAlert(db, openAlert, { reason: "recovered", value: m.value, samples: m.samples, at: now }, options.deliver)) ? "resolved" : "ok";
      else state = "ok";
      outcomes.push({ organizationId, kind: rule.kind, state, value: m.value, samples: m.samples });
    }
  }
}

/** Organizations with messages in the longest window, costs today, an alert of ours still open, or replies whose background work is still waiting. */
async function findActiveOrganizations(db: Database, now: Date): Promise<string[]> {
  const since = new Date(now.getTime() - Math.max(...ALERT_WINDOW_MINUTES) * MINUTE);
  const rows = await db.execute<{ id: string }>(sql`
    select o.id from organizations o
    where exists (select 1 from request_timings r where r.organization_id = o.id and r.created_at >= ${since.toISOString()} and r.created_at < ${now.toISOString()})
       or exists (select 1 from message_costs c where c.organization_id = o.id and c.created_at >= ${startOfUtcDay(now).toISOString()} and c.created_at < ${now.toISOString()})
       or exists (select 1 from alerts a where a.organization_id = o.id and a.ended_at is null and a.rule in ${[...ALERT_RULE_KINDS]})
       or exists (select 1 from outbox_events e where e.organization_id = o.id and e.type = 'message.replied' and e.processed_at is null
                  and e.created_at >= ${new Date(now.getTime() - DAY_MS).toISOString()} and e.created_at < ${now.toISOString()})
    order by o.id`);
  return rows.map((r) => r.id);
}

export function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/** Measures rules for one organization, querying each window's latency (shared by three kinds) once. */
function createMeasurer(db: Database, organizationId: string, now: Date, minSamples: number) {
  const latency = new Map<number, ReturnType<typeof summarizeLatency<{ from: Date; to: Date }>>>();
  return async (rule: Rule): Promise<Measurement> => {
    if (rule.kind === "daily_cost_above") {
      const from = startOfUtcDay(now);
      const cost = await sumCosts(db, organizationId, { from, to: now });
      // Money spent is a fact however few replies it took: no minimum sample.
      return { value: cost.usd, samples: cost.priced, enough: true, from, to: now };
    }
    const minutes = rule.forMinutes ?? ALERT_WINDOW_MINUTES[0];
    const from = new Date(now.getTime() - minutes * MINUTE);
    if (!latency.has(minutes)) latency.set(minutes, summarizeLatency(db, organizationId, { from, to: now }));
    const summary = await latency.get(minutes)!;
    if (rule.kind === "background_lag_above") {
      // Work still waiting has no background run yet: a stalled or backlogged worker would otherwise
      // look like "no data". A reply waiting longer than the threshold is a breach on its own.
      const waiting = await oldestWaiting(db, organizationId, now, rule.threshold);
      if (waiting.count > 0) return { value: waiting.ageMs, samples: waiting.count, enough: true, from, to: now };
    }
    const [value, samples] =
      rule.kind === "p95_total_above"
        ? [summary.totalMs.p95, summary.count]
        : rule.kind === "error_rate_above"
          ? [summary.errorRate, summary.count]
          : [summary.backgroundLag.p95, summary.backgroundLag.count];
    return { value, samples, enough: samples >= minSamples, from, to: now };
  };
}

const DAY_MS = 24 * 60 * MINUTE;

/** Replies of the last day whose background work has waited longer than thresholdMs and is not done: how many, and the oldest's wait. */
async function oldestWaiting(db: Database, organizationId: string, now: Date, thresholdMs: number) {
  const [row] = await db.execute<{ count: number; age_ms: number | null }>(sql`
    select count(*)::int as count, (extract(epoch from (${now.toISOString()}::timestamptz - min(created_at))) * 1000)::float8 as age_ms
    from outbox_events
    where organization_id = ${organizationId} and type = 'message.replied' and processed_at is null
      and created_at >= ${new Date(now.getTime() - DAY_MS).toISOString()}
      and created_at < ${new Date(now.getTime() - thresholdMs).toISOString()}`);
  return { count: row?.count ?? 0, ageMs: row?.age_ms ?? 0 };
}

/** Twice the threshold or more is critical; above it, a warning. */
const severityOf = (value: number, threshold: number) => (value >= 2 * threshold ? "critical" : "warning");

function describe(kind: AlertRuleKind, value: number, threshold: number, forMinutes: number | null, samples: number): string {
  const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  const over = `over the last ${forMinutes} min`;
  switch (kind) {
    case "p95_total_above":
      return `p95 total time ${ms(value)} ${over} (threshold ${ms(threshold)}, ${samples} messages)`;
    case "error_rate_above":
      return `Error rate ${pct(value)} ${over} (threshold ${pct(threshold)}, ${samples} messages)`;
    case "background_lag_above":
      return `p95 background lag ${ms(value)} ${over} (threshold ${ms(threshold)}, ${samples} background runs)`;
    case "daily_cost_above":
      return `Model cost today $${value.toFixed(2)} (threshold $${threshold.toFixed(2)})`;
  }
}

async function sendAll(deliveries: PendingDelivery[], deliver: DeliverWebhook | undefined) {
  for (const d of deliveries) await deliver?.(d.id, d.organizationId);
}

/** Opens an alert for the rule, with its event and webhooks; false when one was open already. */
async function openAlertFor(db: Database, rule: Rule, m: Measurement, now: Date, deliver: DeliverWebhook | undefined): Promise<boolean> {
  const value = m.value!;
  const severity = severityOf(value, rule.threshold);
  const message = describe(rule.kind, value, rule.threshold, rule.forMinutes, m.samples);
  const details = { kind: rule.kind, threshold: rule.threshold, forMinutes: rule.forMinutes, value, samples: m.samples, window: { from: m.from.toISOString(), to: m.to.toISOString() } };
  const deliveries = await db.transaction(async (tx) => {
    const [alert] = await tx
      .insert(alerts)
      .values({ organizationId: rule.organizationId, rule: rule.kind, severity, message, details, startedAt: now })
      .onConflictDoNothing()
      .returning();
    if (!alert) return null;
    const payload = { alertId: alert.id, rule: rule.kind, severity, message, value, threshold: rule.threshold, forMinutes: rule.forMinutes, startedAt: alert.startedAt.toISOString() };
    return recordEvent(tx, { organizationId: rule.organizationId, type: "alert.opened", payload });
  });
  if (!deliveries) return false;
  await sendAll(deliveries, deliver);
  return true;
}

/** Ends an open alert, with its event and webhooks; false when it had ended already. */
async function resolveAlert(db: Database, alert: OpenAlert, r: { reason: "recovered" | "rule disabled"; value: number | null; samples: number; at: Date }, deliver: DeliverWebhook | undefined): Promise<boolean> {
  const resolution = { reason: r.reason, value: r.value, samples: r.samples };
  const deliveries = await db.transaction(async (tx) => {
    const [ended] = await tx
      .update(alerts)
      .set({ endedAt: r.at, details: { ...alert.details, resolution } })
      .where(scopedTo(alert.organizationId, alerts, and(eq(alerts.id, alert.id), isNull(alerts.endedAt))))
      .returning();
    if (!ended) return null;
    const payload = { alertId: ended.id, rule: ended.rule, severity: ended.severity, message: ended.message, ...resolution, startedAt: ended.startedAt.toISOString(), endedAt: r.at.toISOString() };
    return recordEvent(tx, { organizationId: alert.organizationId, type: "alert.resolved", payload });
  });
  if (!deliveries) return false;
  await sendAll(deliveries, deliver);
  return true;
}

const ALERTS_LOCK = 7_261_003;

/** Evaluates the rules every intervalMs in one process of the cluster (the worker role's leader). */
export function startAlertEvaluator(
  deps: { url: string; db: Database; deliver: DeliverWebhook; log: { warn(o: object, m?: string): void; info(o: object, m?: string): void } },
  options: { intervalMs: number; minSamples: number },
) {
  return startLeaderLoop({
    url: deps.url,
    lockKey: ALERTS_LOCK,
    intervalMs: options.intervalMs,
    name: "alert evaluator",
    log: deps.log,
    async run() {
      for (const outcome of await evaluateAlertRules(deps.db, { minSamples: options.minSamples, deliver: deps.deliver })) {
        if (outcome.state === "opened") deps.log.warn({ ...outcome }, "alert opened");
        if (outcome.state === "resolved") deps.log.info({ ...outcome }, "alert resolved");
      }
    },
  });
}
