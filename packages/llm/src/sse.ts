import { StringDecoder } from "node:string_decoder";

import type { BodyChunks } from "./http-fetch";

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

/** Events read from a body, a batch at a time (see readServerSentEvents). */
export type EventBatches = {
  /** The events of the next read that completed any (null at the end); rejects how the body failed. */
  next(): Promise<ServerSentEvent[] | null>;
  /** Stops reading: a body not read to its end is closed, and with it the connection. */
  close(): void;
};

/**
 * The events of a body's chunks as they came off the socket (http-fetch.ts's
 * takeBody), chunks that came together parsed together. No web stream and no
 * generator between the socket and the caller: under load a reply's hundreds
 * of chunks each cost their way through every layer (profiled: the web
 * stream and the generators were a fifth of reading a reply).
 */
export function readEventBatches(body: BodyChunks): EventBatches {
  const decoder = new StringDecoder("utf8");
  const parser = createEventParser();
  let ended = false;
  return {
    async next() {
      while (!ended) {
        const chunks = body.take();
        if (chunks === null) {
          ended = true;
          const rest = parser.push(`${decoder.end()}\n\n`);
          return rest.length > 0 ? rest : null;
        }
        if (chunks.length === 0) {
          await body.arrival();
          continue;
        }
        let text = "";
        for (const chunk of chunks) text += decoder.write(chunk);
        const events = parser.push(text);
        if (events.length > 0) return events;
      }
      return null;
    },
    close() {
      if (!ended) body.cancel();
      ended = true;
    },
  };
}

/** The same for a web stream's body: readServerSentEvents, one batch a call. */
export function readEventBatchesOfStream(body: ReadableStream<Uint8Array>): EventBatches {
  const batches = readServerSentEvents(body);
  return {
    next: async () => {
      const read = await batches.next();
      return read.done ? null : read.value;
    },
    close: () => void batches.return(undefined).catch(() => undefined),
  };
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
