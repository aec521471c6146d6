"use client";

import { useState, type KeyboardEvent, type RefObject } from "react";

import type { SendOutcome } from "../chat/use-chat";
import styles from "./chat.module.css";

export type ComposerProps = {
  inputRef: RefObject<HTMLTextAreaElement | null>;
  /** While an answer is on its way: typing is allowed, sending is not. */
  disabled: boolean;
  onSend: (text: string) => Promise<SendOutcome>;
};

/** The textbox and Send button. Enter sends, Shift+Enter starts a new line. */
export function Composer({ inputRef, disabled, onSend }: ComposerProps) {
  const [draft, setDraft] = useState("");

  const submit = async () => {
    const text = draft;
    if (disabled || text.trim() === "") return;
    setDraft("");
    // A refused message (too long, say) comes back to the textbox unless the visitor already typed anew.
    if ((await onSend(text)) === "refused") setDraft((current) => (current === "" ? text : current));
  };

  const sendOnEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void submit();
  };

  return (
    <form
      className={styles.composer}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <textarea
        ref={inputRef}
        className={styles.input}
        aria-label="Message"
        placeholder="Type your message…"
        rows={2}
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={sendOnEnter}
      />
      <button type="submit" className={styles.send} disabled={disabled}>
        Send
      </button>
    </form>
  );
}
