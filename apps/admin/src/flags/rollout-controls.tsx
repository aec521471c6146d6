"use client";

import { useId, useState, type FormEvent } from "react";

import type { FlagState } from "../api/types";
import styles from "./flags.module.css";
import { parseRollout, ROLLOUT_STEPS, type PendingChange } from "./format";

/**
 * Quick steps, a precise percentage and on/off. Each only asks for the
 * change: the dialog collects the reason and calls the API.
 */
export function RolloutControls(props: { name: string; state: FlagState | null; canChange: boolean; onRequest(change: PendingChange): void }) {
  const { name, state, canChange, onRequest } = props;
  const disabled = !canChange || !state;
  const inputId = useId();
  const errorId = useId();
  const [error, setError] = useState<string | null>(null);

  function applyPrecise(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const field = new FormData(event.currentTarget).get("rollout");
    const parsed = parseRollout(typeof field === "string" ? field : "");
    if (!parsed.ok) return setError(parsed.message);
    setError(null);
    onRequest({ flag: name, kind: "rollout", rollout: parsed.rollout });
  }

  return (
    <div className={styles.controls}>
      <div role="group" aria-label={`Rollout steps for ${name}`} className={styles.steps}>
        {ROLLOUT_STEPS.map((step) => (
          <button
            key={step}
            type="button"
            className={styles.step}
            aria-pressed={state?.rollout === step}
            aria-label={`Set ${name} to ${step} %`}
            disabled={disabled}
            onClick={() => onRequest({ flag: name, kind: "rollout", rollout: step })}
          >
            {step} %
          </button>
        ))}
      </div>

      <form className={styles.precise} onSubmit={applyPrecise} noValidate>
        <label htmlFor={inputId}>
          Rollout %<span className="visually-hidden"> for {name}</span>
        </label>
        {/* Keyed by the rollout so the field follows a change made here or elsewhere. */}
        <input
          key={state?.rollout ?? "none"}
          id={inputId}
          name="rollout"
          type="number"
          inputMode="numeric"
          min={0}
          max={100}
          step={1}
          defaultValue={state?.rollout ?? ""}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={() => setError(null)}
        />
        <button type="submit" className={styles.button} disabled={disabled}>
          Apply<span className="visually-hidden"> rollout for {name}</span>
        </button>
        {error && (
          <p id={errorId} className={styles.fieldError}>
            {error}
          </p>
        )}
      </form>

      <button
        type="button"
        className={styles.button}
        disabled={disabled}
        onClick={() => state && onRequest({ flag: name, kind: "enabled", enabled: !state.enabled })}
      >
        {state?.enabled === false ? "Turn on" : "Turn off"}
        <span className="visually-hidden"> {name}</span>
      </button>
    </div>
  );
}
