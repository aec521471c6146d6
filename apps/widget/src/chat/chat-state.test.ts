import type { HistoryMessage, SendEvent } from "@leadline/validators/chat";
import { describe, expect, it } from "vitest";

import { findUnanswered, initialChatState, reduceChat, type ChatAction, type ChatState } from "./chat-state";

const ID = "11111111-1111-4111-8111-111111111111";
const usage = { promptTokens: 10, cachedPromptTokens: 0, completionTokens: 5, estimated: false };
const done = (text: string, extra: Partial<Extract<SendEvent, { type: "done" }>> = {}): SendEvent => ({
  type: "done",
  messageId: ID,
  status: "complete",
  text,
  usage,
  cost: { usd: null, priced: false },
  timings: { firstTokenMs: 5, totalMs: 9 },
  demoModel: true,
  ...extra,
});

function run(...actions: ChatAction[]): ChatState {
  return actions.reduce(reduceChat, initialChatState);
}
const loaded: ChatAction = { type: "session-loaded", greeting: "Hi! How can I help?", history: [], demoModel: false };
const sent = (clientMessageId = "msg-0001", text = "Pricing?"): ChatAction => ({ type: "send-started", outgoing: { clientMessageId, text } });
const event = (e: SendEvent, clientMessageId = "msg-0001"): ChatAction => ({ type: "stream-event", clientMessageId, event: e });

function history(...rows: Partial<HistoryMessage>[]): HistoryMessage[] {
  return rows.map((r, i) => ({
    id: `00000000-0000-4000-8000-00000000000${i}`,
    role: "user",
    content: "",
    status: "complete",
    createdAt: "2026-01-01T00:00:00.000Z",
    clientMessageId: null,
    feedback: null,
    ...r,
  }));
}

describe("reduceChat", () => {
  it("shows the greeting first, then the stored conversation without failed answers", () => {
    const state = run({
      ...loaded,
      history: history(
        { role: "user", content: "Hello", clientMessageId: "msg-a0001" },
        { role: "assistant", content: "Hi there", feedback: "up" },
        { role: "user", content: "Again", clientMessageId: "msg-a0002" },
        { role: "assistant", content: "", status: "failed" },
      ),
    });
    expect(state.status).toBe("ready");
    expect(state.messages.map((m) => [m.role, m.text])).toEqual([
      ["assistant", "Hi! How can I help?"],
      ["user", "Hello"],
      ["assistant", "Hi there"],
      ["user", "Again"],
    ]);
    expect(state.messages[2]).toMatchObject({ feedback: "up", messageId: "00000000-0000-4000-8000-000000000001" });
  });

  it("waits (typing) until the first token, then grows the answer token by token", () => {
    let state = run(loaded, sent(), event({ type: "ack", userMessageId: ID, clientMessageId: "msg-0001", replay: false }));
    expect(state.turn?.phase).toBe("waiting");
    expect(state.messages.at(-1)).toMatchObject({ role: "user", text: "Pricing?" });

    state = [event({ type: "token", text: "Plans start " }), event({ type: "token", text: "at $29." })].reduce(reduceChat, state);
    expect(state.turn?.phase).toBe("streaming");
    expect(state.messages.at(-1)).toMatchObject({ role: "assistant", text: "Plans start at $29.", status: "streaming", messageId: null });
  });

  it("completes the answer with the server's final text, its id and the demo-model flag", () => {
    const state = run(loaded, sent(), event({ type: "token", text: "Plans" }), event(done("Plans start at $29.")));
    expect(state.turn).toBeNull();
    expect(state.demoModel).toBe(true);
    expect(state.messages.at(-1)).toMatchObject({ role: "assistant", text: "Plans start at $29.", status: "complete", messageId: ID });
  });

  it("shows a replayed answer that arrives as done alone", () => {
    const state = run(loaded, sent(), event(done("Stored answer")));
    expect(state.messages.filter((m) => m.role === "assistant").map((m) => m.text)).toEqual(["Hi! How can I help?", "Stored answer"]);
  });

  it("on a stream error drops the half answer and offers a retry of the same message", () => {
    const state = run(
      loaded,
      sent(),
      event({ type: "token", text: "Plans st" }),
      event({ type: "error", code: "timeout", message: "The assistant took too long to answer.", retryable: true }),
    );
    expect(state.turn).toBeNull();
    expect(state.messages.map((m) => m.text)).toEqual(["Hi! How can I help?", "Pricing?"]);
    expect(state.error).toEqual({ message: "The assistant took too long to answer.", retry: { clientMessageId: "msg-0001", text: "Pricing?" } });
  });

  it("offers no retry for an error the server calls final", () => {
    const state = run(loaded, sent(), event({ type: "error", code: "bad_request", message: "Cannot process", retryable: false }));
    expect(state.error).toEqual({ message: "Cannot process", retry: null });
  });

  it("a retry re-sends without showing the visitor's message twice, and clears the error", () => {
    const state = run(loaded, sent(), event({ type: "error", code: "timeout", message: "x", retryable: true }), sent());
    expect(state.messages.filter((m) => m.role === "user")).toHaveLength(1);
    expect(state.error).toBeNull();
    expect(state.turn?.phase).toBe("waiting");
  });

  it("a rate-limited message waits: nothing shown as sent, sending resumes when the wait is over", () => {
    const until = Date.now() + 12_000;
    const waiting = run(loaded, sent(), { type: "send-failed", clientMessageId: "msg-0001", message: "Please wait 12 s", retryable: false, withdraw: true, waitUntil: until });
    expect(waiting.waitUntil).toBe(until);
    expect(waiting.messages.map((m) => m.role)).toEqual(["assistant"]);
    const over = reduceChat(waiting, { type: "wait-over" });
    expect(over.waitUntil).toBeNull();
    expect(over.error).toBeNull();
  });

  it("when the assistant cannot answer, the typed message becomes the contact form's note, then the thanks", () => {
    const offered = run(loaded, sent("msg-0001", "We need 20 seats"), { type: "contact-offered", clientMessageId: "msg-0001", message: "Leave your name and email" });
    expect(offered.contact).toEqual({ status: "open", message: "Leave your name and email", note: "We need 20 seats" });
    expect(offered.messages.map((m) => m.role)).toEqual(["assistant"]);
    expect(offered.turn).toBeNull();
    expect(reduceChat(offered, { type: "contact-sent", name: "Ana", email: "ana@globex.example" }).contact).toEqual({ status: "sent", name: "Ana", email: "ana@globex.example" });
  });

  it("a refused message leaves the list (the composer gets the text back)", () => {
    const state = run(loaded, sent(), { type: "send-failed", clientMessageId: "msg-0001", message: "Message is too long", retryable: false, withdraw: true });
    expect(state.messages.map((m) => m.role)).toEqual(["assistant"]);
    expect(state.error).toEqual({ message: "Message is too long", retry: null });
  });

  it("a failed call keeps the message and offers a retry", () => {
    const state = run(loaded, sent(), { type: "send-failed", clientMessageId: "msg-0001", message: "Could not reach", retryable: true, withdraw: false });
    expect(state.messages.at(-1)).toMatchObject({ role: "user", text: "Pricing?" });
    expect(state.error?.retry).toEqual({ clientMessageId: "msg-0001", text: "Pricing?" });
  });

  it("ignores events of a turn that is no longer open", () => {
    const before = run(loaded, sent("msg-0002", "Later"));
    expect(reduceChat(before, event({ type: "token", text: "stale" }, "msg-0001"))).toBe(before);
  });

  it("shows a lead-captured enhancement after the answer", () => {
    const state = run(loaded, sent(), event(done("Thanks")), event({ type: "enhanced", kind: "lead_captured", data: {} }));
    expect(state.notice).toMatch(/contact details/);
  });

  it("records feedback on one answer only", () => {
    const state = run(loaded, sent(), event(done("A")), { type: "feedback-changed", messageId: ID, rating: "down" });
    expect(state.messages.at(-1)).toMatchObject({ feedback: "down" });
    expect(state.messages[0]).toMatchObject({ feedback: null });
  });

  it("offers to retry the last message when a reload finds it unanswered", () => {
    const state = run({ ...loaded, unanswered: { clientMessageId: "msg-0001", text: "Pricing?" } });
    expect(state.error?.retry).toEqual({ clientMessageId: "msg-0001", text: "Pricing?" });
  });
});

describe("findUnanswered", () => {
  const now = Date.parse("2026-01-01T00:01:00.000Z");

  it("finds a recent question still being answered (fresh: re-sending waits for that answer)", () => {
    expect(findUnanswered(history({ content: "Hello?", clientMessageId: "msg-a0001" }), now, 120_000)).toEqual({ clientMessageId: "msg-a0001", text: "Hello?", fresh: true });
  });

  it("treats an old unanswered question and one with a failed answer as not fresh", () => {
    expect(findUnanswered(history({ content: "Hello?", clientMessageId: "msg-a0001" }), now + 600_000, 120_000)?.fresh).toBe(false);
    const failed = history({ content: "Hello?", clientMessageId: "msg-a0001" }, { role: "assistant", status: "failed" });
    expect(findUnanswered(failed, now, 120_000)).toEqual({ clientMessageId: "msg-a0001", text: "Hello?", fresh: false });
  });

  it("finds nothing when the last question was answered", () => {
    expect(findUnanswered(history({ content: "Hi", clientMessageId: "msg-a0001" }, { role: "assistant", content: "Hello" }), now, 120_000)).toBeNull();
    expect(findUnanswered([], now, 120_000)).toBeNull();
  });
});
