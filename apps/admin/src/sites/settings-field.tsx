import type { Ref } from "react";

import ui from "../components/ui.module.css";
import styles from "./sites.module.css";

type Props = {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  /** Always shown under the field: the default, what empty means. */
  hint: string;
  /** The server's (or the page's) reason, linked to the field so a screen reader reads it with it. */
  error?: string;
  readOnly: boolean;
  placeholder?: string;
  inputMode?: "numeric" | "decimal";
  multiline?: boolean;
  ref?: Ref<HTMLInputElement & HTMLTextAreaElement>;
};

/** One labelled field of the site settings, with its hint and its error beside it. */
export function SettingsField(props: Props) {
  const { id, label, value, onChange, hint, error, readOnly, placeholder, inputMode, multiline, ref } = props;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const common = {
    ref,
    id,
    name: id,
    className: `${ui.input} ${multiline ? styles.textarea : ""}`,
    value,
    readOnly,
    placeholder,
    autoComplete: "off",
    spellCheck: false,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `${errorId} ${hintId}` : hintId,
  } as const;
  return (
    <div className={styles.field}>
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...common} rows={Math.max(3, value.split("\n").length + 1)} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type="text" inputMode={inputMode} onChange={(e) => onChange(e.target.value)} />
      )}
      {error && (
        <p id={errorId} className={ui.fieldError}>
          {error}
        </p>
      )}
      <p id={hintId} className={styles.hint}>
        {hint}
      </p>
    </div>
  );
}
