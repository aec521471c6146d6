/** How the Sites page words a site's embed snippet, limits and spend: plain functions, tested without a browser. */
import type { RateLimitKey } from "../api/types";
import { formatUsd } from "../shared/format";

/** The six limits in the order the page lists them, each named by what it counts. */
export const RATE_LIMITS: readonly { key: RateLimitKey; label: string }[] = [
  { key: "sessionMessagesPerMinute", label: "Messages per minute, per chat" },
  { key: "addressMessagesPerMinute", label: "Messages per minute, per visitor address" },
  { key: "siteMessagesPerMinute", label: "Messages per minute, whole site" },
  { key: "addressSessionsPerMinute", label: "New chats per minute, per visitor address" },
  { key: "siteSessionsPerMinute", label: "New chats per minute, whole site" },
  { key: "messagesPerSession", label: "Messages per chat, in all" },
];

/** Stands in for the widget's URL when the admin app was not told it (WIDGET_URL unset). */
export const WIDGET_URL_PLACEHOLDER = "https://your-widget-host";

/** The widget's loader under the widget app's URL, path prefix kept. */
export function loaderUrl(widgetUrl: string | null): string {
  const base = widgetUrl ?? WIDGET_URL_PLACEHOLDER;
  return new URL("loader.js", base.endsWith("/") ? base : `${base}/`).toString();
}

/** The one tag a customer pastes into their pages to show this site's chat. */
export function embedSnippet(widgetUrl: string | null, siteKey: string): string {
  return `<script src="${loaderUrl(widgetUrl)}" data-site-key="${siteKey}" async></script>`;
}

/** The widget app's origin, which must be among a site's allowed origins for the widget's own /demo page to show the chat. */
export function widgetOriginOf(widgetUrl: string | null): string | null {
  return widgetUrl ? new URL(widgetUrl).origin : null;
}

/** A stored budget ("2.5000", null) as the admin types it ("2.5", empty for the default). */
export function budgetText(stored: string | null): string {
  return stored === null ? "" : String(Number(stored));
}

/** A budget that applies: "$5.00", or said plainly when it is 0. */
export function formatBudget(usd: number): string {
  return usd === 0 ? "$0: the model is off" : formatUsd(usd);
}

/** Today's spend against the daily budget: "$0.42 spent + $0.01 reserved of $5.00". */
export function describeTodaySpend(spentUsd: string, reservedUsd: string, budgetUsd: number): string {
  const spent = `${formatUsd(Number(spentUsd))} spent + ${formatUsd(Number(reservedUsd))} reserved`;
  return budgetUsd === 0 ? `${spent}; the model is off (budget $0)` : `${spent} of ${formatUsd(budgetUsd)}`;
}

/** This month's spend against the monthly budget: "$1.20 spent of $50.00". */
export function describeMonthSpend(spentUsd: string, budgetUsd: number): string {
  const spent = `${formatUsd(Number(spentUsd))} spent`;
  return budgetUsd === 0 ? `${spent}; the model is off (budget $0)` : `${spent} of ${formatUsd(budgetUsd)}`;
}

/** How much of a budget is used, 0–1 (a budget of 0 is all used); for the bar beside the numbers. */
export function shareOfBudget(usedUsd: number, budgetUsd: number): number {
  if (budgetUsd <= 0) return 1;
  return Math.min(1, Math.max(0, usedUsd / budgetUsd));
}
