/** One server-sent event: its `event` field (null when absent) and its data lines joined. */
export type ServerSentEvent = { event: string | null; data: string };

/**
 * Reads a text/event-stream body and yields, per read from the body, the
 * complete events it finished (possibly none). A caller that handles a
 * read's events together does per read what the OpenAI SDK's own parser
 * does per event: under load a read often carries several of a reply's
 * chunks, and each costs the server a round through the stream's consumers.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = createEventParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const events = parser.push(decoder.decode(value, { stream: true }));
      if (events.length > 0) yield events;
    }
    const rest = parser.push(`${decoder.decode()}\n\n`);
    if (rest.length > 0) yield rest;
  } finally {
    // Stopping early (an abort, a thrown chunk) closes the body, and with it the connection.
    await reader.cancel().catch(() => undefined);
  }
}

/** The event-stream format: lines (LF, CRLF or CR), a blank line ends an event, `:` starts a comment. */
export function createEventParser() {
  let pending = "";
  let event: string | null = null;
  let data: string[] = [];
  let started = false;

  const readLine = (line: string, out: ServerSentEvent[]) => {
    if (line === "") {
      if (started) out.push({ event, data: data.join("\n") });
      event = null;
      data = [];
      started = false;
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      data.push(value);
      started = true;
    } else if (field === "event") {
      event = value;
      started = true;
    }
  };

  return {
    /** Adds text; returns the events it completed. */
    push(text: string): ServerSentEvent[] {
      const out: ServerSentEvent[] = [];
      const buffer = pending + text;
      let start = 0;
      // Most streams have no CR at all: look for one once, not once a line.
      let cr = buffer.indexOf("\r");
      for (;;) {
        if (cr >= 0 && cr < start) cr = buffer.indexOf("\r", start);
        const lf = buffer.indexOf("\n", start);
        const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
        // A CR at the very end may be the first half of a CRLF: wait for the next text.
        if (end < 0 || (end === cr && end === buffer.length - 1)) break;
        readLine(buffer.slice(start, end), out);
        start = end + (end === cr && buffer[end + 1] === "\n" ? 2 : 1);
      }
      pending = buffer.slice(start);
      return out;
    },
  };
}
