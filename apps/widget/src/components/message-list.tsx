"use client";

import { useEffect, useRef } from "react";

import type { ChatMessage, Rating } from "../chat/chat-state";
import styles from "./chat.module.css";

export type MessageListProps = {
  messages: ChatMessage[];
  /** While tokens arrive, screen readers wait (aria-busy) and read the answer once. */
  streaming: boolean;
  onRate: (messageId: string, rating: Rating, previous: Rating | null) => void;
};

/** How close to the bottom still counts as "reading the latest": then new text scrolls into view. */
const PINNED_SLACK_PX = 48;

export function MessageList({ messages, streaming, onRate }: MessageListProps) {
  const logRef = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);

  // Every change (a token, a finished answer's buttons) keeps the latest in view, unless the visitor scrolled up to read.
  useEffect(() => {
    const log = logRef.current;
    if (log && pinned.current) log.scrollTop = log.scrollHeight;
  }, [messages]);

  return (
    <div
      ref={logRef}
      role="log"
      aria-live="polite"
      aria-label="Conversation"
      aria-busy={streaming}
      // Focusable so keyboard users can scroll it.
      tabIndex={0}
      className={styles.log}
      onScroll={(event) => {
        const log = event.currentTarget;
        pinned.current = log.scrollHeight - log.scrollTop - log.clientHeight < PINNED_SLACK_PX;
      }}
    >
      {messages.map((message) => (
        <div key={message.key} className={message.role === "user" ? styles.user : styles.assistant}>
          <span className={styles.visuallyHidden}>{message.role === "user" ? "You:" : "Assistant:"} </span>
          {/* Text nodes only: visitor and model text is never HTML or markdown. */}
          <p className={styles.text}>{message.text}</p>
          {message.role === "assistant" && message.status === "partial" && <p className={styles.partial}>This answer was cut short.</p>}
          {message.role === "assistant" && message.messageId && message.status !== "streaming" && (
            <FeedbackButtons messageId={message.messageId} feedback={message.feedback} onRate={onRate} />
          )}
        </div>
      ))}
    </div>
  );
}

type FeedbackButtonsProps = { messageId: string; feedback: Rating | null; onRate: MessageListProps["onRate"] };

function FeedbackButtons({ messageId, feedback, onRate }: FeedbackButtonsProps) {
  return (
    <div className={styles.feedback} role="group" aria-label="Rate this answer">
      <button type="button" className={styles.rate} aria-label="Good answer" aria-pressed={feedback === "up"} onClick={() => onRate(messageId, "up", feedback)}>
        <ThumbIcon />
      </button>
      <button type="button" className={styles.rate} aria-label="Bad answer" aria-pressed={feedback === "down"} onClick={() => onRate(messageId, "down", feedback)}>
        <ThumbIcon down />
      </button>
    </div>
  );
}

// An icon rather than an emoji: emoji fonts are missing on some systems and render as empty boxes.
function ThumbIcon({ down = false }: { down?: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" className={down ? styles.flipped : undefined}>
      <path
        fill="currentColor"
        d="M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z"
      />
    </svg>
  );
}
