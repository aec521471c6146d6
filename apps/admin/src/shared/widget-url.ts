/** The widget app's demo page (a sample customer page with the chat on it), under the widget app's URL, path prefix kept. */
export function demoPageUrl(widgetUrl: string | undefined): string | null {
  if (!widgetUrl) return null;
  const base = widgetUrl.endsWith("/") ? widgetUrl : `${widgetUrl}/`;
  return new URL("demo", base).toString();
}
