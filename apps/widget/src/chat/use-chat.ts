/**
 * The embed's conversation: opens (or resumes) the session, sends messages and
 * reads their event streams into the reducer, records feedback. Components
 * call what this returns and render `state`.
 */
import type { HistoryMessage, Theme } from "@leadline/validators/chat";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";

import { createChatClient } from "./api-client";
import { describeFailure, isSessionLost, offersContactForm } from "./call-errors";
import { findUnanswered, initialChatState, reduceChat, type Outgoing, type Rating } from "./chat-state";
import { createRandomId } from "./ids";
import { ensureVisitorId, forgetSession, openBrowserStore, readSession, saveSession, type KeyValueStore, type StoredSession } from "./session-store";

/** The server holds an unanswered message for its first answer this long (ANSWER_CLAIM_SECONDS). */
const ANSWER_CLAIM_MS = 120_000;
const INTERRUPTED = "The connection was interrupted before the answer finished. Please try again.";
const START_FAILED = "The chat could not start. Please try again in a moment.";
const SESSION_RENEWED = "Your previous chat had expired, so a new one has started.";

/** "refused": the server would not take the message; the composer should give the text back. */
export type SendOutcome = "sent" | "refused";
type TurnOutcome = SendOutcome | "session-lost";

export function useChat(siteKey: string, apiUrl: string) {
  const client = useMemo(() => createChatClient(apiUrl), [apiUrl]);
  const [state, dispatch] = useReducer(reduceChat, initialChatState);
  const [theme, setTheme] = useState<Theme | null>(null);
  const storeRef = useRef<KeyValueStore | null>(null);
  const tokenRef = useRef<string | null>(null);

  const getStore = useCallback(() => (storeRef.current ??= openBrowserStore()), []);

  const startNewSession = useCallback(async (): Promise<StoredSession> => {
    const visitorId = ensureVisitorId(getStore(), siteKey);
    const started = await client.chat.startSession.mutate({ siteKey, visitorId });
    const session = { token: started.sessionToken, greeting: started.greeting, theme: started.theme, demoModel: started.demoModel };
    saveSession(getStore(), siteKey, session);
    return session;
  }, [client, getStore, siteKey]);

  const runTurn = useCallback(
    async (outgoing: Outgoing): Promise<TurnOutcome> => {
      const sessionToken = tokenRef.current;
      if (!sessionToken) return "refused";
      const { clientMessageId } = outgoing;
      const fail = (message: string, retryable: boolean, withdraw = false, waitUntil?: number) =>
        dispatch({ type: "send-failed", clientMessageId, message, retryable, withdraw, waitUntil });
      dispatch({ type: "send-started", outgoing });
      let answered = false;
      try {
        const events = await client.chat.send.mutate({ sessionToken, ...outgoing });
        // Keep reading after done/error: a late "enhanced" event may follow.
        for await (const event of events) {
          dispatch({ type: "stream-event", clientMessageId, event });
          if (event.type === "done" || event.type === "error") answered = true;
        }
        if (!answered) fail(INTERRUPTED, true);
        return "sent";
      } catch (error) {
        if (answered) return "sent"; // only the optional tail was lost
        const failure = describeFailure(error);
        if (offersContactForm(failure)) {
          // The text was not stored: it becomes the contact form's note.
          dispatch({ type: "contact-offered", clientMessageId, message: failure.message });
          return "sent";
        }
        if (failure.refusal?.reason === "rate_limited") {
          // Nothing was stored: the text goes back to the composer, which sends again once the wait is over.
          fail(failure.message, false, true, Date.now() + (failure.refusal.retryAfterSeconds ?? 5) * 1000);
          return "refused";
        }
        if (failure.code === "BAD_REQUEST") {
          fail(failure.message, false, true);
          return "refused";
        }
        if (isSessionLost(failure)) {
          fail(failure.message, false, true);
          return "session-lost";
        }
        // Sending the same thing again cannot fix a conflict or a refusal.
        fail(failure.message, failure.code !== "CONFLICT" && failure.code !== "FORBIDDEN");
        return "sent";
      }
    },
    [client],
  );

  const adoptSession = useCallback(
    (session: StoredSession, history: HistoryMessage[], notice: string | null = null) => {
      tokenRef.current = session.token;
      setTheme(session.theme);
      const unanswered = findUnanswered(history, Date.now(), ANSWER_CLAIM_MS);
      // A fresh one may still be being answered (the page was left mid-answer): re-sending waits for that answer.
      const resume = unanswered?.fresh ? unanswered : null;
      dispatch({ type: "session-loaded", greeting: session.greeting, history, demoModel: session.demoModel, unanswered: resume ? null : unanswered, notice });
      if (resume) void runTurn({ clientMessageId: resume.clientMessageId, text: resume.text });
    },
    [runTurn],
  );

  const openSession = useCallback(async () => {
    try {
      const stored = readSession(getStore(), siteKey);
      if (stored) {
        try {
          // The latest page only: a long conversation's older messages stay on the server.
          adoptSession(stored, (await client.chat.history.query({ sessionToken: stored.token })).messages);
          return;
        } catch (error) {
          if (!isSessionLost(describeFailure(error))) throw error;
          forgetSession(getStore(), siteKey);
        }
      }
      adoptSession(await startNewSession(), []);
    } catch (error) {
      // An unknown site key or an origin the site does not allow: say so, it is what the site owner must fix.
      const failure = describeFailure(error);
      const setupProblem = failure.code === "FORBIDDEN" || failure.code === "NOT_FOUND";
      // Too many chats started from this network: the server's words say how long to wait.
      dispatch({ type: "session-unavailable", message: setupProblem || failure.refusal ? failure.message : START_FAILED });
    }
  }, [adoptSession, client, getStore, siteKey, startNewSession]);

  /** A send whose session has expired or vanished starts a new session; the visitor sends again. */
  const deliver = useCallback(
    async (outgoing: Outgoing): Promise<SendOutcome> => {
      const outcome = await runTurn(outgoing);
      if (outcome !== "session-lost") return outcome;
      forgetSession(getStore(), siteKey);
      try {
        adoptSession(await startNewSession(), [], SESSION_RENEWED);
      } catch {
        dispatch({ type: "session-unavailable", message: START_FAILED });
      }
      return "refused";
    },
    [adoptSession, getStore, runTurn, siteKey, startNewSession],
  );

  // Once per mount; a ref rather than cleanup so React's dev double-run does not start two sessions.
  const opened = useRef(false);
  useEffect(() => {
    if (opened.current) return;
    opened.current = true;
    void openSession();
  }, [openSession]);

  const send = useCallback((text: string) => deliver({ clientMessageId: createRandomId(), text: text.trim() }), [deliver]);

  const rate = useCallback(
    async (messageId: string, rating: Rating, previous: Rating | null) => {
      const sessionToken = tokenRef.current;
      if (!sessionToken) return;
      dispatch({ type: "feedback-changed", messageId, rating });
      try {
        await client.chat.feedback.mutate({ sessionToken, messageId, rating });
      } catch {
        dispatch({ type: "feedback-changed", messageId, rating: previous });
      }
    },
    [client],
  );

  // Sending waits out a rate limit; when it is over the notice goes and the Send button comes back.
  useEffect(() => {
    if (state.waitUntil === null) return;
    const timer = setTimeout(() => dispatch({ type: "wait-over" }), Math.max(0, state.waitUntil - Date.now()));
    return () => clearTimeout(timer);
  }, [state.waitUntil]);

  /** The contact form: the visitor's details go straight to their lead. Resolves to an error message, or null when sent. */
  const leaveContact = useCallback(
    async (contact: { name: string; email: string; note: string }): Promise<string | null> => {
      const sessionToken = tokenRef.current;
      if (!sessionToken) return START_FAILED;
      try {
        await client.chat.leaveContact.mutate({ sessionToken, name: contact.name.trim(), email: contact.email.trim(), note: contact.note.trim() || undefined });
        dispatch({ type: "contact-sent", name: contact.name.trim(), email: contact.email.trim() });
        return null;
      } catch (error) {
        return describeFailure(error).message;
      }
    },
    [client],
  );

  return { state, theme, send, retry: deliver, reopen: openSession, rate, leaveContact };
}
