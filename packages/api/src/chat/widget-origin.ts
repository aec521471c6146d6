/**
 * Who may call the chat procedures from a browser. The chat runs in the
 * widget's iframe, so every browser call comes from the widget's own origin,
 * whatever page shows it; which pages may show it is the embed page's
 * frame-ancestors (see embed-policy.ts). A call from any other page is not our
 * widget, so it is refused. No Origin means no browser page (a server-side
 * script), which the rate limits are for.
 */
export function isAllowedWidgetOrigin(origin: string | null, widgetOrigins: readonly string[] | undefined): boolean {
  return origin === null || (widgetOrigins ?? []).includes(origin);
}
