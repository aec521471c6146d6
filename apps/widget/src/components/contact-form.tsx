"use client";

import { useState } from "react";

import type { ContactOffer } from "../chat/chat-state";
import styles from "./chat.module.css";

export type ContactFormProps = {
  offer: ContactOffer;
  onSubmit: (contact: { name: string; email: string; note: string }) => Promise<string | null>;
};

/**
 * When the assistant cannot answer, the visitor is not left with an error:
 * their name and email reach the team directly, with what they had typed.
 */
export function ContactForm({ offer, onSubmit }: ContactFormProps) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [note, setNote] = useState(offer.status === "open" ? offer.note : "");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (offer.status === "sent") {
    return (
      <div className={styles.contact}>
        <p role="status" className={styles.notice}>
          Thanks, {offer.name}! The team will get back to you at {offer.email}.
        </p>
      </div>
    );
  }

  return (
    <form
      className={styles.contact}
      aria-label="Leave your contact details"
      onSubmit={async (event) => {
        event.preventDefault();
        setSending(true);
        setError(await onSubmit({ name, email, note }));
        setSending(false);
      }}
    >
      <p className={styles.contactIntro}>{offer.message}</p>
      <label className={styles.field}>
        Name
        <input required maxLength={100} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className={styles.field}>
        Email
        <input required type="email" maxLength={254} autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label className={styles.field}>
        Message (optional)
        <textarea rows={2} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      {error && (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      )}
      <button type="submit" className={styles.send} disabled={sending}>
        Send my details
      </button>
    </form>
  );
}
