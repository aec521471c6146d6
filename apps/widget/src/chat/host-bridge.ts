/**
 * Messages between the embed (in its iframe) and /loader.js on the host page.
 * The loader checks that they come from this iframe and this origin; what the
 * embed tells it (theme, "close") is not secret, so any host may hear it.
 */
import type { Theme } from "@leadline/validators/chat";

/**
 * Sent to the loader, tagged `source: "leadline"` so it ignores the host
 * page's own messages. Colours arrive checked, so the loader needs no parser.
 */
export type MessageToHost =
  | { type: "ready" }
  | { type: "theme"; accent: string; onAccent: string; position: Theme["position"] }
  | { type: "close" };

export function isFramed(): boolean {
  return typeof window !== "undefined" && window.parent !== window;
}

export function tellHost(message: MessageToHost): void {
  if (isFramed()) window.parent.postMessage({ source: "leadline", ...message }, "*");
}

/**
 * Calls `onOpened` each time the loader opens the panel, so the composer can
 * take focus. Says "ready" once listening: the iframe's load event comes
 * before hydration, so a message sent then would be lost.
 */
export function listenForHost(onOpened: () => void): () => void {
  const onMessage = (event: MessageEvent) => {
    if (event.source !== window.parent) return;
    const data = event.data as { source?: unknown; type?: unknown } | null;
    if (data?.source === "leadline" && data.type === "opened") onOpened();
  };
  window.addEventListener("message", onMessage);
  tellHost({ type: "ready" });
  return () => window.removeEventListener("message", onMessage);
}
