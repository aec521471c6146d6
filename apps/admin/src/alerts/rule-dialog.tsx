"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";

import { useTRPC } from "../api/api-provider";
import { describeFailure } from "../api/errors";
import type { AlertRule } from "../api/types";
import ui from "../components/ui.module.css";
import styles from "./alerts.module.css";
import { buildRuleUpdate, describeLimits, describeWindow, parseThreshold, toDisplayValue, unitSymbol, type WindowMinutes } from "./rule-format";

/**
 * Edits one rule's threshold, window and whether it is on, in a modal
 * <dialog> (focus stays inside, Escape cancels, focus goes back to the Edit
 * button). The threshold is checked against the rule's limits before any
 * round trip; a refusal from the server stays in the dialog with what was
 * typed, so the admin can correct it.
 */
export function RuleDialog(props: { rule: AlertRule; windowsMinutes: readonly WindowMinutes[]; onCancel(): void; onSaved(rule: AlertRule): void }) {
  const { rule, windowsMinutes, onCancel, onSaved } = props;
  const trpc = useTRPC();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const thresholdRef = useRef<HTMLInputElement>(null);
  const ids = { title: useId(), threshold: useId(), hint: useId(), error: useId(), window: useId(), enabled: useId(), enabledHint: useId() };
  const initialText = String(toDisplayValue(rule.unit, rule.threshold));
  const [thresholdText, setThresholdText] = useState(initialText);
  const [thresholdError, setThresholdError] = useState<string | null>(null);
  const [forMinutes, setForMinutes] = useState(rule.forMinutes as WindowMinutes | null);
  const [enabled, setEnabled] = useState(rule.enabled);
  const [unchanged, setUnchanged] = useState(false);
  const update = useMutation(trpc.alerts.updateRule.mutationOptions());
  const failure = update.error ? describeFailure(update.error) : null;

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (update.isPending) return;
    // A field left as it was is the rule's own value, exactly (not its rounded display).
    const parsed = thresholdText === initialText ? { ok: true as const, threshold: rule.threshold } : parseThreshold(thresholdText, rule);
    setThresholdError(parsed.ok ? null : parsed.message);
    if (!parsed.ok) return thresholdRef.current?.focus();
    const changes = buildRuleUpdate(rule, { threshold: parsed.threshold, forMinutes, enabled });
    setUnchanged(changes === null);
    if (!changes) return;
    try {
      const saved = await update.mutateAsync(changes);
      dialogRef.current?.close();
      onSaved(saved);
    } catch {
      // Shown from update.error below.
    }
  }

  const describedBy = [ids.hint, thresholdError ? ids.error : null].filter(Boolean).join(" ");
  return (
    <dialog ref={dialogRef} className={ui.dialog} aria-labelledby={ids.title} onClose={onCancel}>
      <form onSubmit={submit} noValidate className={ui.dialogForm}>
        <h2 id={ids.title} className={ui.dialogTitle}>
          Edit rule: {rule.label}
        </h2>

        <div className={styles.field}>
          <label htmlFor={ids.threshold}>Threshold ({unitSymbol(rule.unit)})</label>
          <input
            ref={thresholdRef}
            id={ids.threshold}
            name="threshold"
            className={ui.input}
            type="text"
            inputMode="decimal"
            autoComplete="off"
            autoFocus
            value={thresholdText}
            onChange={(e) => {
              setThresholdText(e.target.value);
              setThresholdError(null);
              setUnchanged(false);
            }}
            aria-invalid={thresholdError ? true : undefined}
            aria-describedby={describedBy}
          />
          <p id={ids.hint} className={styles.hint}>
            From {describeLimits(rule)}
            {rule.unit === "ratio" ? " of replies failing" : ""}.
          </p>
          {thresholdError && (
            <p id={ids.error} className={ui.fieldError}>
              {thresholdError}
            </p>
          )}
        </div>

        {forMinutes === null ? (
          <p className={styles.hint}>Judged over the current UTC day, from midnight: this rule has no window to choose.</p>
        ) : (
          <div className={styles.field}>
            <label htmlFor={ids.window}>Window</label>
            <select
              id={ids.window}
              className={ui.input}
              value={forMinutes}
              onChange={(e) => {
                setForMinutes(Number(e.target.value) as WindowMinutes);
                setUnchanged(false);
              }}
            >
              {windowsMinutes.map((minutes) => (
                <option key={minutes} value={minutes}>
                  {describeWindow(minutes)}
                </option>
              ))}
            </select>
          </div>
        )}

        <div>
          <div className={styles.checkbox}>
            <input
              id={ids.enabled}
              type="checkbox"
              checked={enabled}
              onChange={(e) => {
                setEnabled(e.target.checked);
                setUnchanged(false);
              }}
              aria-describedby={ids.enabledHint}
            />
            <label htmlFor={ids.enabled}>On</label>
          </div>
          <p id={ids.enabledHint} className={styles.hint}>
            A rule that is off opens no alert, and its open alert is closed.
          </p>
        </div>

        {unchanged && (
          <p role="status" className={ui.fieldError}>
            Nothing to save: change the threshold, the window or whether the rule is on.
          </p>
        )}
        {failure && (
          <p role="alert" className={ui.banner}>
            {failure.message}
          </p>
        )}
        <div className={ui.dialogActions}>
          <button type="button" className={ui.button} onClick={() => dialogRef.current?.close()}>
            Cancel
          </button>
          <button type="submit" className={ui.primary} aria-disabled={update.isPending}>
            {update.isPending ? "Saving…" : "Save"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
