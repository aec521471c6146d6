"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";

import { useTRPC } from "../api/api-provider";
import { describeFailure } from "../api/errors";
import styles from "./flags.module.css";
import { checkReason, describeChange, type PendingChange } from "./format";

/**
 * Asks why, then makes the change. A modal <dialog> keeps focus inside,
 * closes on Escape and gives focus back to the button that opened it.
 * A refusal (viewer, bad input, Unleash down) stays in the dialog with the
 * reason still typed, so the admin can try again.
 */
export function ChangeDialog(props: { change: PendingChange; onCancel(): void; onDone(message: string): void }) {
  const { change, onCancel, onDone } = props;
  const trpc = useTRPC();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const reasonId = useId();
  const errorId = useId();
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  const setRollout = useMutation(trpc.flags.setRollout.mutationOptions());
  const setEnabled = useMutation(trpc.flags.setEnabled.mutationOptions());
  const mutation = change.kind === "rollout" ? setRollout : setEnabled;
  const failure = mutation.error ? describeFailure(mutation.error) : null;
  const title = describeChange(change);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  function close() {
    dialogRef.current?.close(); // fires "close", which calls onCancel
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problem = checkReason(reason);
    setReasonError(problem);
    if (problem || mutation.isPending) return;
    try {
      const state =
        change.kind === "rollout"
          ? await setRollout.mutateAsync({ name: change.flag, rollout: change.rollout, reason })
          : await setEnabled.mutateAsync({ name: change.flag, enabled: change.enabled, reason });
      dialogRef.current?.close();
      onDone(`${change.flag} is now ${state.enabled ? "on" : "off"} at ${state.rollout} %.`);
    } catch {
      // Shown from mutation.error below.
    }
  }

  const describedBy = reasonError ? errorId : undefined;
  return (
    <dialog ref={dialogRef} className={styles.dialog} aria-labelledby={titleId} onClose={onCancel}>
      <form onSubmit={submit} noValidate className={styles.dialogForm}>
        <h2 id={titleId} className={styles.dialogTitle}>
          {title}?
        </h2>
        <p className={styles.muted}>Your reason is kept in the audit log with the change.</p>
        <label htmlFor={reasonId} className={styles.reasonLabel}>
          Reason
        </label>
        <textarea
          id={reasonId}
          name="reason"
          rows={3}
          required
          minLength={3}
          maxLength={500}
          autoFocus
          value={reason}
          onChange={(e) => {
            setReason(e.target.value);
            if (reasonError) setReasonError(checkReason(e.target.value));
          }}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={describedBy}
        />
        {reasonError && (
          <p id={errorId} className={styles.fieldError}>
            {reasonError}
          </p>
        )}
        {failure && (
          <p role="alert" className={styles.banner}>
            {failure.message}
          </p>
        )}
        <div className={styles.dialogActions}>
          <button type="button" className={styles.button} onClick={close}>
            Cancel
          </button>
          <button type="submit" className={styles.primary} aria-disabled={mutation.isPending}>
            {mutation.isPending ? "Applying…" : "Confirm"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
