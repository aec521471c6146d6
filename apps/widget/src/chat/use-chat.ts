/**
 * The embed's conversation: opens (or resumes) the session, sends messages and
 * reads their event streams into the reducer, records feedback. Components
 * call what this returns and render `state`.
 */
import type { HistoryMessage, Theme } from "@leadline/validators/chat";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";

import { createChatClient } from "./api-client";
import { describeFailure, isSessionLost } from "./call-errors";
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
      const fail = (message: string, retryable: boolean, withdraw = false) =>
        dispatch({ type: "send-failed", clientMessageId, message, retryable, withdraw });
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
      dispatch({ type: "session-unavailable", message: setupProblem ? failure.message : START_FAILED });
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

  return { state, theme, send, retry: deliver, reopen: openSession, rate };
}
