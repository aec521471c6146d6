/**
 * How the alerts page shows and checks alert rules: plain functions, tested
 * without a browser. The API keeps an error rate as a share (0.05); admins
 * read and type it as a percentage (5 %).
 */
import type { AlertRule, AlertRuleUpdate } from "../api/types";
import { formatCount, formatUsd } from "../shared/format";

type Unit = AlertRule["unit"];
export type WindowMinutes = NonNullable<AlertRuleUpdate["forMinutes"]>;

/**
 * What the admin types for each unit: `scale` turns the API's value into it,
 * `decimals` is the precision the form accepts (the database keeps four
 * decimals of the API's value, so two of a percentage).
 */
const UNITS: Record<Unit, { symbol: string; scale: number; decimals: number }> = {
  ms: { symbol: "ms", scale: 1, decimals: 0 },
  ratio: { symbol: "%", scale: 100, decimals: 2 },
  usd: { symbol: "USD", scale: 1, decimals: 2 },
};

/** The unit the admin types a threshold in: "ms", "%" or "USD". */
export function unitSymbol(unit: Unit): string {
  return UNITS[unit].symbol;
}

/** The API's value as the admin reads and types it: a share of 0.05 is 5 (%). */
export function toDisplayValue(unit: Unit, threshold: number): number {
  const { scale, decimals } = UNITS[unit];
  return roundTo(threshold * scale, decimals);
}

/** The admin's value as the API takes it: 5 (%) is a share of 0.05. */
export function toThreshold(unit: Unit, value: number): number {
  const { scale, decimals } = UNITS[unit];
  return roundTo(value / scale, decimals + Math.round(Math.log10(scale)));
}

function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

const plain = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** A value in the admin's unit: "8,000 ms", "2.5 %", "$50.00". */
export function formatInUnit(unit: Unit, value: number): string {
  if (unit === "usd") return formatUsd(value);
  if (unit === "ms") return `${formatCount(value)} ms`;
  return `${plain.format(value)} %`;
}

const dollars = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * A threshold (or a value compared with one) in the admin's unit. Unlike
 * formatInUnit, dollars always keep their cents: formatUsd rounds $1,234.56
 * to "$1,234", which would misstate a threshold.
 */
export function formatThresholdValue(unit: Unit, threshold: number): string {
  const value = toDisplayValue(unit, threshold);
  if (unit === "usd") return `${value < 0 ? "-" : ""}$${dollars.format(Math.abs(value))}`;
  return formatInUnit(unit, value);
}

/** A rule's threshold as the admin reads it: "8,000 ms", "5 %", "$1,234.56". */
export function formatThreshold(rule: Pick<AlertRule, "unit" | "threshold">): string {
  return formatThresholdValue(rule.unit, rule.threshold);
}

/** The unit of an alert rule kind, as alerts.rules reports it; null for alerts no rule opened (e.g. rollout_guard). */
export function unitOfRuleKind(kind: string): Unit | null {
  switch (kind) {
    case "p95_total_above":
    case "background_lag_above":
      return "ms";
    case "error_rate_above":
      return "ratio";
    case "daily_cost_above":
      return "usd";
    default:
      return null;
  }
}

/** The thresholds the API accepts for a rule, in the admin's unit: "1 ms to 600,000 ms". */
export function describeLimits(rule: Pick<AlertRule, "unit" | "limits">): string {
  const { min, max } = rule.limits;
  return `${formatInUnit(rule.unit, toDisplayValue(rule.unit, min))} to ${formatInUnit(rule.unit, toDisplayValue(rule.unit, max))}`;
}

/**
 * The threshold field, checked as the API would check it (its limits, and the
 * precision it keeps) so that the admin hears it before a round trip.
 */
export function parseThreshold(text: string, rule: Pick<AlertRule, "unit" | "limits">): { ok: true; threshold: number } | { ok: false; message: string } {
  const { decimals } = UNITS[rule.unit];
  const trimmed = text.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) {
    return { ok: false, message: trimmed.includes(",") ? "Enter a number without commas, with a dot for decimals" : "Enter a number" };
  }
  const fraction = trimmed.split(".")[1] ?? "";
  if (fraction.replace(/0+$/, "").length > decimals) {
    return { ok: false, message: decimals === 0 ? `Enter a whole number of ${unitSymbol(rule.unit)}` : `Use at most ${decimals} decimals` };
  }
  const threshold = toThreshold(rule.unit, Number(trimmed));
  if (threshold < rule.limits.min || threshold > rule.limits.max) return { ok: false, message: `Enter a value from ${describeLimits(rule)}` };
  return { ok: true, threshold };
}

/** "5 minutes", "1 hour": a window as the form offers it. */
export function windowLabel(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? "1 hour" : `${minutes / 60} hours`;
  return `${minutes} minutes`;
}

/** Over what a rule is judged: its window, or the current day for the daily cost. */
export function describeWindow(forMinutes: number | null): string {
  return forMinutes === null ? "Today so far (UTC)" : `Last ${windowLabel(forMinutes)}`;
}

export type RuleDraft = { threshold: number; forMinutes: WindowMinutes | null; enabled: boolean };

/** alerts.updateRule's input for what the admin changed, or null when nothing did. */
export function buildRuleUpdate(rule: AlertRule, draft: RuleDraft): AlertRuleUpdate | null {
  const update: AlertRuleUpdate = { kind: rule.kind };
  if (draft.threshold !== rule.threshold) update.threshold = draft.threshold;
  // The daily cost has no window: forMinutes is never sent for it.
  if (draft.forMinutes !== null && draft.forMinutes !== rule.forMinutes) update.forMinutes = draft.forMinutes;
  if (draft.enabled !== rule.enabled) update.enabled = draft.enabled;
  return Object.keys(update).length > 1 ? update : null;
}

/** "p95 total time above 8,000 ms, last 5 minutes, on": a rule in one line, for the notice after a change. */
export function describeRule(rule: AlertRule): string {
  const window = rule.forMinutes === null ? "today so far (UTC)" : `last ${windowLabel(rule.forMinutes)}`;
  return `${rule.label} ${formatThreshold(rule)}, ${window}, ${rule.enabled ? "on" : "off"}`;
}
