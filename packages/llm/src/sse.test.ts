import { describe, expect, it } from "vitest";

import type { BodyChunks } from "./http-fetch";
import { createEventParser, readEventBatches, readServerSentEvents } from "./sse";

describe("createEventParser", () => {
  it("returns the events a text completes and keeps a partial line for the next text", () => {
    const parser = createEventParser();
    expect(parser.push('data: {"a":1}\n\ndata: {"b"')).toEqual([{ event: null, data: '{"a":1}' }]);
    expect(parser.push(":2}\n")).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: null, data: '{"b":2}' }]);
  });

  it("reads CRLF and CR line ends, also a CRLF split across two texts", () => {
    const parser = createEventParser();
    expect(parser.push("data: one\r")).toEqual([]);
    expect(parser.push("\n\r\ndata: two\r\r")).toEqual([{ event: null, data: "one" }]);
    expect(parser.push("\n")).toEqual([{ event: null, data: "two" }]);
  });

  it("skips comments, joins data lines and keeps the event name", () => {
    const parser = createEventParser();
    const events = parser.push(": keep-alive\n\nevent: error\ndata: line 1\ndata:line 2\n\n");
    expect(events).toEqual([{ event: "error", data: "line 1\nline 2" }]);
  });
});

describe("readServerSentEvents", () => {
  it("yields the events of each read together, and an event the body ends without a blank line", async () => {
    const encoder = new TextEncoder();
    const reads = ["data: a\n\ndata: b\n\n", "data: c\n", "\ndata: d"];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = reads.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(encoder.encode(next));
      },
    });
    const batches: string[][] = [];
    for await (const events of readServerSentEvents(body)) batches.push(events.map((e) => e.data));
    expect(batches).toEqual([["a", "b"], ["c"], ["d"]]);
  });

  it("decodes a character split between two reads", async () => {
    const bytes = new TextEncoder().encode("data: café\n\n");
    const split = bytes.indexOf(0xc3) + 1; // inside the two bytes of é
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, split));
        controller.enqueue(bytes.slice(split));
        controller.close();
      },
    });
    const data: string[] = [];
    for await (const events of readServerSentEvents(body)) data.push(...events.map((e) => e.data));
    expect(data).toEqual(["café"]);
  });
});

describe("readEventBatches", () => {
  it("parses the chunks that came together as one batch, a character split across chunks included", async () => {
    const euro = Buffer.from("€");
    const arrivals: Buffer[][] = [[Buffer.from("data: a\n\ndata: "), euro.subarray(0, 1)], [euro.subarray(1), Buffer.from("\n\ndata: c")]];
    let ended = false;
    const body: BodyChunks = {
      take: () => arrivals.shift() ?? (ended ? null : []),
      arrival: () => {
        ended = true;
        return Promise.resolve();
      },
      cancel: () => undefined,
    };
    const batches = readEventBatches(body);
    expect(await batches.next()).toEqual([{ event: null, data: "a" }]);
    expect(await batches.next()).toEqual([{ event: null, data: "€" }]);
    expect(await batches.next()).toEqual([{ event: null, data: "c" }]);
    expect(await batches.next()).toBeNull();
  });

  it("closes a body it stops reading before its end, and only then", async () => {
    let cancelled = 0;
    const body = (chunks: Buffer[][]): BodyChunks => ({ take: () => chunks.shift() ?? null, arrival: () => Promise.resolve(), cancel: () => void (cancelled += 1) });
    const early = readEventBatches(body([[Buffer.from("data: a\n\n")], [Buffer.from("data: b\n\n")]]));
    await early.next();
    early.close();
    const whole = readEventBatches(body([[Buffer.from("data: a\n\n")]]));
    await whole.next();
    expect(await whole.next()).toBeNull();
    whole.close();
    expect(cancelled).toBe(1);
  });
});
