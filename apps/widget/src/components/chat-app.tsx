"use client";

/**
 * The chat UI inside the embed's iframe. State lives in useChat; this file
 * lays it out and keeps the loader on the host page informed (theme, close).
 */
import { useEffect, useMemo, useRef, useState, type CSSProperties } from "react";

import { resolveThemeColors } from "../chat/theme";
import { isFramed, listenForHost, tellHost } from "../chat/host-bridge";
import { useChat } from "../chat/use-chat";
import styles from "./chat.module.css";
import { Composer } from "./composer";
import { ContactForm } from "./contact-form";
import { ErrorBanner } from "./error-banner";
import { MessageList } from "./message-list";
import { WaitNotice } from "./wait-notice";

export type ChatAppProps = { siteKey: string; apiUrl: string };

const isCssColor = (value: string) => typeof CSS !== "undefined" && CSS.supports("color", value);

export function ChatApp({ siteKey, apiUrl }: ChatAppProps) {
  const { state, theme, send, retry, reopen, rate, leaveContact } = useChat(siteKey, apiUrl);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  // Known only in the browser; rendering it on the server would mismatch on hydration.
  const [framed, setFramed] = useState(false);
  const colors = useMemo(() => (theme ? resolveThemeColors(theme, isCssColor) : null), [theme]);

  useEffect(() => setFramed(isFramed()), []);
  useEffect(() => listenForHost(() => composerRef.current?.focus()), []);
  useEffect(() => {
    if (theme && colors) tellHost({ type: "theme", accent: colors.accent, onAccent: colors.onAccent, position: theme.position });
  }, [theme, colors]);
  useEffect(() => {
    // Keys pressed inside the iframe never reach the host page: hand Escape to the loader.
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key === "Escape" && isFramed()) tellHost({ type: "close" });
    };
    window.addEventListener("keydown", closeOnEscape);
    return () => window.removeEventListener("keydown", closeOnEscape);
  }, []);

  const style = colors ? ({ "--accent": colors.accent, "--on-accent": colors.onAccent } as CSSProperties) : undefined;
  // Typing stays open while sending waits: for an answer, out a rate limit, or for good when only the contact form can help.
  const busy = state.status !== "ready" || state.turn !== null || state.waitUntil !== null || state.contact !== null;
  const pendingRetry = state.error?.retry ?? null;
  const retryAction = state.status === "unavailable" ? () => void reopen() : pendingRetry ? () => void retry(pendingRetry) : null;

  return (
    <main className={styles.chat} style={style}>
      <header className={styles.header}>
        <div className={styles.heading}>
          <h1 className={styles.title}>{theme?.title ?? "Chat"}</h1>
          {state.demoModel && <p className={styles.demo}>Offline demo model</p>}
        </div>
        {framed && (
          <button type="button" className={styles.close} aria-label="Close chat" onClick={() => tellHost({ type: "close" })}>
            <span aria-hidden="true">×</span>
          </button>
        )}
      </header>
      <MessageList messages={state.messages} streaming={state.turn?.phase === "streaming"} onRate={rate} />
      <div className={styles.status}>
        {state.status === "starting" && <p role="status">Starting the chat…</p>}
        {state.turn?.phase === "waiting" && (
          <p role="status" data-testid="typing" className={styles.typing}>
            Assistant is typing…
          </p>
        )}
        {state.notice && <p role="status" className={styles.notice}>{state.notice}</p>}
        {state.waitUntil !== null ? <WaitNotice until={state.waitUntil} /> : state.error && <ErrorBanner message={state.error.message} onRetry={retryAction} />}
      </div>
      {state.contact ? <ContactForm offer={state.contact} onSubmit={leaveContact} /> : <Composer inputRef={composerRef} disabled={busy} onSend={send} />}
    </main>
  );
}
