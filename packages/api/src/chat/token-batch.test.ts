import type { SendEvent } from "@leadline/validators/chat";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createChannel } from "./channel";
import { batchTokens } from "./token-batch";

beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] }));
afterEach(() => vi.useRealTimers());

const token = (text: string): SendEvent => ({ type: "token", text });

describe("batchTokens", () => {
  it("sends the first token at once, then joins the tokens of each window into one event", () => {
    const sent: SendEvent[] = [];
    const out = batchTokens((e) => sent.push(e), 50);
    out.push(token("a"));
    expect(sent).toEqual([token("a")]);
    for (const t of ["b", "c", "d"]) {
      vi.advanceTimersByTime(15);
      out.push(token(t));
    }
    expect(sent).toHaveLength(1); // b, c, d wait for the window to end
    vi.advanceTimersByTime(5); // 50 ms after "a"
    expect(sent).toEqual([token("a"), token("bcd")]);
    vi.advanceTimersByTime(200); // a pause longer than the window: the next token goes at once
    out.push(token("e"));
    expect(sent.at(-1)).toEqual(token("e"));
  });

  it("any other event sends what is pending first, so the end of a reply waits for nothing", () => {
    const sent: SendEvent[] = [];
    const out = batchTokens((e) => sent.push(e), 50);
    out.push(token("a"));
    out.push(token("b"));
    out.push({ type: "error", code: "internal", message: "x", retryable: true });
    expect(sent.map((e) => e.type)).toEqual(["token", "token", "error"]);
    expect(sent[1]).toEqual(token("b"));
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(3); // the window's timer was cleared: nothing sent twice
  });

  it("0 sends every token on its own", () => {
    const sent: SendEvent[] = [];
    const out = batchTokens((e) => sent.push(e), 0);
    for (const t of ["a", "b", "c"]) out.push(token(t));
    expect(sent).toEqual([token("a"), token("b"), token("c")]);
  });
});

describe("createChannel with merge", () => {
  it("joins values waiting for a reader that fell behind, and keeps the others apart", async () => {
    const channel = createChannel<SendEvent>((a, b) => (a.type === "token" && b.type === "token" ? token(a.text + b.text) : undefined));
    channel.push(token("a"));
    channel.push(token("b"));
    channel.push({ type: "error", code: "internal", message: "x", retryable: true });
    channel.push(token("c"));
    channel.close();
    const read: SendEvent[] = [];
    for await (const e of channel) read.push(e);
    expect(read.map((e) => (e.type === "token" ? e.text : e.type))).toEqual(["ab", "error", "c"]);
  });
});
