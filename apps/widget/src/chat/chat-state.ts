/**
 * The chat's UI state and the one reducer that changes it: the session's
 * history, each `chat.send` stream event and each failed call all go through
 * here, so the component only renders.
 */
import type { HistoryMessage, SendEvent } from "@leadline/validators/chat";

export type Rating = "up" | "down";

export type UserMessage = { key: string; role: "user"; text: string; clientMessageId: string | null };
export type AssistantMessage = {
  key: string;
  role: "assistant";
  text: string;
  /** The stored message id: null for the greeting and while the answer streams. */
  messageId: string | null;
  status: "streaming" | "complete" | "partial";
  feedback: Rating | null;
};
export type ChatMessage = UserMessage | AssistantMessage;

/** What a resend needs: the server answers a failed message anew and replays a completed one. */
export type Outgoing = { clientMessageId: string; text: string };

/** The message being answered: "waiting" until the first token, then "streaming". */
export type Turn = Outgoing & { phase: "waiting" | "streaming" };

export type ChatError = { message: string; retry: Outgoing | null };

/**
 * The contact form, offered when the assistant cannot answer (the site's
 * budget is spent, the conversation's cap reached): "open" with what the
 * visitor had typed as its note, "sent" once the team has their details.
 */
export type ContactOffer = { status: "open"; message: string; note: string } | { status: "sent"; name: string; email: string };

export type ChatState = {
  status: "starting" | "ready" | "unavailable";
  messages: ChatMessage[];
  turn: Turn | null;
  error: ChatError | null;
  demoModel: boolean;
  /** A short note from a late "enhanced" event, e.g. that the visitor's contact details were noted. */
  notice: string | null;
  /** Epoch ms until which the server refuses messages (too many too fast); sending waits, typing does not. */
  waitUntil: number | null;
  contact: ContactOffer | null;
};

export type ChatAction =
  | {
      type: "session-loaded";
      greeting: string;
      history: HistoryMessage[];
      demoModel: boolean;
      /** The visitor's last message, when its answer failed or was lost: offered for retry. */
      unanswered?: Outgoing | null;
      notice?: string | null;
    }
  | { type: "session-unavailable"; message: string }
  | { type: "send-started"; outgoing: Outgoing }
  | { type: "stream-event"; clientMessageId: string; event: SendEvent }
  | { type: "send-failed"; clientMessageId: string; message: string; retryable: boolean; withdraw: boolean; waitUntil?: number }
  | { type: "wait-over" }
  | { type: "contact-offered"; clientMessageId: string; message: string }
  | { type: "contact-sent"; name: string; email: string }
  | { type: "feedback-changed"; messageId: string; rating: Rating | null };

export const initialChatState: ChatState = { status: "starting", messages: [], turn: null, error: null, demoModel: false, notice: null, waitUntil: null, contact: null };

const GREETING_KEY = "greeting";
const UNANSWERED_MESSAGE = "Your last message did not get an answer.";
const replyKey = (clientMessageId: string) => `reply:${clientMessageId}`;

export function reduceChat(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "session-loaded":
      return {
        ...initialChatState,
        status: "ready",
        messages: buildMessages(action.greeting, action.history),
        demoModel: action.demoModel,
        error: action.unanswered ? { message: UNANSWERED_MESSAGE, retry: action.unanswered } : null,
        notice: action.notice ?? null,
      };
    case "session-unavailable":
      return { ...state, status: "unavailable", turn: null, error: { message: action.message, retry: null } };
    case "send-started": {
      const { outgoing } = action;
      // A retry re-sends a message that is already on screen.
      const known = state.messages.some((m) => m.role === "user" && m.clientMessageId === outgoing.clientMessageId);
      const messages = known ? state.messages : [...state.messages, userMessage(outgoing)];
      return { ...state, messages, turn: { ...outgoing, phase: "waiting" }, error: null, notice: null };
    }
    case "stream-event":
      return applyEvent(state, action.clientMessageId, action.event);
    case "send-failed": {
      if (state.turn?.clientMessageId !== action.clientMessageId) return state;
      const outgoing = { clientMessageId: state.turn.clientMessageId, text: state.turn.text };
      // A refused message was never stored: take it off the list, the composer gets the text back.
      const messages = withoutReply(state.messages, outgoing.clientMessageId).filter(
        (m) => !(action.withdraw && m.role === "user" && m.clientMessageId === outgoing.clientMessageId),
      );
      return { ...state, messages, turn: null, error: { message: action.message, retry: action.retryable ? outgoing : null }, waitUntil: action.waitUntil ?? state.waitUntil };
    }
    case "wait-over":
      return { ...state, waitUntil: null, error: state.waitUntil !== null ? null : state.error };
    case "contact-offered": {
      // The refused message was never stored: it becomes the form's note instead of a bubble.
      const note = state.turn?.clientMessageId === action.clientMessageId ? state.turn.text : "";
      const messages = state.messages.filter((m) => !(m.role === "user" && m.clientMessageId === action.clientMessageId));
      return { ...state, messages, turn: null, error: null, contact: { status: "open", message: action.message, note } };
    }
    case "contact-sent":
      return { ...state, contact: { status: "sent", name: action.name, email: action.email } };
    case "feedback-changed":
      return {
        ...state,
        messages: state.messages.map((m) => (m.role === "assistant" && m.messageId === action.messageId ? { ...m, feedback: action.rating } : m)),
      };
  }
}

function applyEvent(state: ChatState, clientMessageId: string, event: SendEvent): ChatState {
  // Late "enhanced" events arrive after the turn ended; everything else belongs to the open turn only.
  if (event.type === "enhanced") {
    const notice = describeEnhancement(event.kind);
    return notice ? { ...state, notice } : state;
  }
  const turn = state.turn;
  if (!turn || turn.clientMessageId !== clientMessageId) return state;
  const key = replyKey(clientMessageId);

  switch (event.type) {
    case "ack":
      return state;
    case "token": {
      if (turn.phase === "waiting") {
        const reply: AssistantMessage = { key, role: "assistant", text: event.text, messageId: null, status: "streaming", feedback: null };
        return { ...state, messages: [...state.messages, reply], turn: { ...turn, phase: "streaming" } };
      }
      return { ...state, messages: state.messages.map((m) => (m.key === key ? { ...m, text: m.text + event.text } : m)) };
    }
    case "done": {
      // The final text is authoritative: a replayed or resumed answer may not have streamed every token.
      const reply: AssistantMessage = { key, role: "assistant", text: event.text, messageId: event.messageId, status: event.status === "partial" ? "partial" : "complete", feedback: null };
      const streamed = state.messages.some((m) => m.key === key);
      const messages = streamed ? state.messages.map((m) => (m.key === key ? reply : m)) : [...state.messages, reply];
      return { ...state, messages, turn: null, error: null, demoModel: event.demoModel };
    }
    case "error":
      return {
        ...state,
        messages: withoutReply(state.messages, clientMessageId),
        turn: null,
        error: { message: event.message, retry: event.retryable ? { clientMessageId, text: turn.text } : null },
      };
  }
}

/** The greeting, then the stored conversation; failed answers are not shown (a retry replaces them). */
export function buildMessages(greeting: string, history: HistoryMessage[]): ChatMessage[] {
  const messages: ChatMessage[] = [{ key: GREETING_KEY, role: "assistant", text: greeting, messageId: null, status: "complete", feedback: null }];
  for (const m of history) {
    if (m.role === "user") {
      messages.push({ key: m.id, role: "user", text: m.content, clientMessageId: m.clientMessageId });
    } else if (m.status !== "failed") {
      messages.push({ key: m.id, role: "assistant", text: m.content, messageId: m.id, status: m.status, feedback: m.feedback });
    }
  }
  return messages;
}

/**
 * The visitor's last message when it has no answer yet: the page was left
 * while it streamed, or its answer failed. `fresh` says whether the server may
 * still be answering it, so re-sending it waits for that answer.
 */
export function findUnanswered(history: HistoryMessage[], now: number, freshForMs: number): (Outgoing & { fresh: boolean }) | null {
  const last = history.at(-1);
  const question = last?.role === "assistant" && last.status === "failed" ? history.at(-2) : last;
  if (!question || question.role !== "user" || !question.clientMessageId) return null;
  const fresh = last === question && now - Date.parse(question.createdAt) < freshForMs;
  return { clientMessageId: question.clientMessageId, text: question.content, fresh };
}

function userMessage(outgoing: Outgoing): UserMessage {
  return { key: `sent:${outgoing.clientMessageId}`, role: "user", text: outgoing.text, clientMessageId: outgoing.clientMessageId };
}

function withoutReply(messages: ChatMessage[], clientMessageId: string): ChatMessage[] {
  const key = replyKey(clientMessageId);
  return messages.filter((m) => m.key !== key);
}

function describeEnhancement(kind: string): string | null {
  if (kind === "lead_captured" || kind === "lead") return "Thanks! Your contact details were passed on to the team.";
  return null;
}
