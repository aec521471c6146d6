/** How every page words numbers and times: plain functions, tested without a browser. A missing value reads "—". */

export const NONE = "—";

/** 42 ms, 1.23 s, 12.3 s. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A share as a percentage with one decimal: 0.0123 → "1.2 %". */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return NONE;
  return `${(rate * 100).toFixed(1)} %`;
}

/** A share as a whole percentage: 0.876 → "88 %". */
export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return NONE;
  return `${Math.round(rate * 100)} %`;
}

const counts = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NONE;
  return counts.format(n);
}

/**
 * Dollars at a precision that still says something: one reply costs a
 * fraction of a cent, a month thousands of dollars.
 * $0 · $0.000123 · $0.0421 · $0.42 · $12.34 · $1,234
 */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return NONE;
  if (usd === 0) return "$0";
  const abs = Math.abs(usd);
  const sign = usd < 0 ? "-" : "";
  if (abs >= 1000) return `${sign}$${counts.format(abs)}`;
  if (abs >= 0.1) return `${sign}$${cents.format(abs)}`;
  return `${sign}$${smallAmounts.format(abs)}`;
}

const cents = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
// Below ten cents, three significant digits (trailing zeros dropped).
const smallAmounts = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 });

/** "just now", "12 min ago", "3 h ago", "2 days ago". */
export function formatAgo(iso: string, now: number): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}

/** How long something lasted: "45 s", "12 min", "3 h 5 min", "2 days 4 h". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return `${days} day${days === 1 ? "" : "s"}${rest ? ` ${rest} h` : ""}`;
}

/** A date and time the admin's locale would write, e.g. for a title attribute. The time zone is a parameter so tests can fix it. */
export function formatDateTime(iso: string, timeZone?: string): string {
  return new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone });
}

/** A code name in words: "workEmail", "team_size", "from-rollout" read "Work email", "Team size", "From rollout". */
export function wordsOf(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
