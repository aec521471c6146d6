/** How the alerts page words an alert: plain functions, tested without a browser. */
import type { Alert } from "../api/types";
import { formatCount, formatDateTime, formatDuration, NONE, wordsOf } from "../shared/format";
import { formatThresholdValue, unitOfRuleKind } from "./rule-format";

/** Open alerts first, then resolved ones, each as the API ordered them (newest first). */
export function splitAlerts(alerts: readonly Alert[]): { open: Alert[]; resolved: Alert[] } {
  return { open: alerts.filter((a) => a.open), resolved: alerts.filter((a) => !a.open) };
}

export function severityLabel(severity: Alert["severity"]): string {
  return severity.charAt(0).toUpperCase() + severity.slice(1);
}

/** "open for 12 min" or "lasted 3 h 5 min". */
export function describeSpan(alert: Pick<Alert, "startedAt" | "endedAt">, now: number): string {
  const end = alert.endedAt ? Date.parse(alert.endedAt) : now;
  const length = formatDuration(end - Date.parse(alert.startedAt));
  return alert.endedAt ? `lasted ${length}` : `open for ${length}`;
}

type Fact = { label: string; value: string };

function rawFact(key: string, value: unknown): Fact {
  return { label: wordsOf(key), value: typeof value === "string" ? value : JSON.stringify(value) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * An alert's details as label/value pairs: "p95TotalMs" reads "p95 total ms";
 * objects are shown as JSON. Alerts a rule opened (`rule` names its kind) read
 * in the rule's unit: threshold and value as "8,000 ms", "5 %" or "$50.00", the
 * window as two date-times, and the resolution as facts of its own; the kind
 * and window length are already said elsewhere, so they are left out.
 * `timeZone` is for tests.
 */
export function detailFacts(details: Record<string, unknown>, rule?: string, timeZone?: string): Fact[] {
  const unit = rule === undefined ? null : unitOfRuleKind(rule);
  if (unit === null) return Object.entries(details).map(([key, value]) => rawFact(key, value));
  const inUnit = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? formatThresholdValue(unit, value) : NONE);
  const count = (value: unknown) => (typeof value === "number" ? formatCount(value) : NONE);
  const facts: Fact[] = [];
  for (const [key, value] of Object.entries(details)) {
    switch (key) {
      case "kind":
      case "forMinutes":
        break;
      case "threshold":
        facts.push({ label: "Threshold", value: inUnit(value) });
        break;
      case "value":
        facts.push({ label: "Value", value: inUnit(value) });
        break;
      case "samples":
        facts.push({ label: "Samples", value: count(value) });
        break;
      case "window":
        if (isRecord(value) && typeof value.from === "string" && typeof value.to === "string") {
          facts.push({ label: "Window from", value: formatDateTime(value.from, timeZone) });
          facts.push({ label: "Window to", value: formatDateTime(value.to, timeZone) });
        } else facts.push(rawFact(key, value));
        break;
      case "resolution":
        if (isRecord(value)) {
          if (typeof value.reason === "string") facts.push({ label: "Resolved because", value: value.reason });
          if ("value" in value) facts.push({ label: "Value at resolution", value: inUnit(value.value) });
          if ("samples" in value) facts.push({ label: "Samples at resolution", value: count(value.samples) });
        } else facts.push(rawFact(key, value));
        break;
      default:
        facts.push(rawFact(key, value));
    }
  }
  return facts;
}
