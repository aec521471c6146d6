/** How the flags page words and checks things: plain functions, tested without a browser. */
import type { CohortStats, FlagState, LastChange, WindowMinutes } from "../api/types";

export { formatAgo, formatMs, formatRate } from "../shared/format";

/** The steps of a rollout, as the quick buttons offer them (the guard steps down along the same ones). */
export const ROLLOUT_STEPS = [0, 10, 50, 100] as const;

export const WINDOWS: readonly { minutes: WindowMinutes; label: string }[] = [
  { minutes: 15, label: "15 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 1440, label: "24 hours" },
];

/** Below this many messages in either cohort a comparison says little (the guard's default minimum too). */
export const FEW_SAMPLES = 50;

/** A change the admin asked for, waiting for its reason. */
export type PendingChange = { flag: string; kind: "rollout"; rollout: number } | { flag: string; kind: "enabled"; enabled: boolean };

export function describeChange(change: PendingChange): string {
  if (change.kind === "rollout") return `Set ${change.flag} to ${change.rollout} %`;
  return `Turn ${change.flag} ${change.enabled ? "on" : "off"}`;
}

/** What a flag's state means for visitors' sessions. */
export function describeExposure(state: FlagState | null): string {
  if (!state) return "Unknown: not read from Unleash";
  if (!state.enabled) return "Off for every session";
  if (state.rollout <= 0) return "On, but rolled out to no session";
  if (state.rollout >= 100) return "On for every session";
  return `On for ${state.rollout} % of sessions`;
}

const ACTIONS: Record<string, string> = {
  "flag.rollout": "Rollout changed",
  "flag.enable": "Turned on",
  "flag.disable": "Turned off",
  "flag.rollback": "Rolled back",
};

export function describeAction(action: string): string {
  return ACTIONS[action] ?? action;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The API names an admin by user id; a short form is enough to tell admins apart. */
export function describeActor(by: LastChange["by"]): string {
  return UUID.test(by) ? `admin ${by.slice(0, 8)}` : by;
}

export type Difference = { text: string; verdict: "better" | "worse" | "same" } | null;

/** The enabled cohort's latency against control's, as a share of control's. Null while either cohort is empty. */
export function compareLatency(enabled: CohortStats, control: CohortStats, metric: "p95TotalMs" | "p95FirstTokenMs"): Difference {
  if (enabled.samples === 0 || control.samples === 0 || control[metric] <= 0) return null;
  const change = Math.round(((enabled[metric] - control[metric]) / control[metric]) * 100);
  if (change === 0) return { text: "about the same", verdict: "same" };
  return change < 0 ? { text: `${-change} % lower`, verdict: "better" } : { text: `${change} % higher`, verdict: "worse" };
}

/** Error rates differ by percentage points, not by a share: 1 % → 2 % is one point, not "100 % higher". */
export function compareErrorRate(enabled: CohortStats, control: CohortStats): Difference {
  if (enabled.samples === 0 || control.samples === 0) return null;
  const points = Math.round((enabled.errorRate - control.errorRate) * 1000) / 10;
  if (points === 0) return { text: "the same", verdict: "same" };
  return points < 0 ? { text: `${-points} pt lower`, verdict: "better" } : { text: `${points} pt higher`, verdict: "worse" };
}

/** The precise rollout field: a whole number from 0 to 100, or the reason it is not. */
export function parseRollout(text: string): { ok: true; rollout: number } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (!/^\d{1,3}$/.test(trimmed) || Number(trimmed) > 100) return { ok: false, message: "Enter a whole number from 0 to 100" };
  return { ok: true, rollout: Number(trimmed) };
}

/** The same rule as the API's (3–500 characters once trimmed), so the admin hears it before a round trip. */
export function checkReason(text: string): string | null {
  const length = text.trim().length;
  if (length < 3) return "Say why (at least 3 characters)";
  if (length > 500) return "Keep the reason under 500 characters";
  return null;
}
