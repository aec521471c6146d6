import type { LlmEvent } from "./client";

export type Collected = { tokens: string[]; end: Extract<LlmEvent, { type: "end" }> };

/** Drains a streamChat generator, checking that exactly one `end` comes last. */
export async function collect(events: AsyncGenerator<LlmEvent>, onToken?: (count: number) => void): Promise<Collected> {
  const tokens: string[] = [];
  let end: Collected["end"] | undefined;
  for await (const event of events) {
    if (end) throw new Error("an event arrived after `end`");
    if (event.type === "token") {
      tokens.push(event.text);
      onToken?.(tokens.length);
    } else {
      end = event;
    }
  }
  if (!end) throw new Error("the stream finished without an `end` event");
  return { tokens, end };
}

/** Polls until `check` holds; for state another party (the simulator) updates on its own schedule. */
export async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
