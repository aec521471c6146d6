/** How the alerts page words an alert: plain functions, tested without a browser. */
import type { Alert } from "../api/types";
import { formatDuration, wordsOf } from "../shared/format";

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

/** An alert's details as label/value pairs: "p95TotalMs" reads "p95 total ms"; objects are shown as JSON. */
export function detailFacts(details: Record<string, unknown>): { label: string; value: string }[] {
  return Object.entries(details).map(([key, value]) => ({
    label: wordsOf(key),
    value: typeof value === "string" ? value : JSON.stringify(value),
  }));
}
