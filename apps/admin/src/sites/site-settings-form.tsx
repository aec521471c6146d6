"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState, type FormEvent } from "react";

import { useTRPC } from "../api/api-provider";
import { describeFailure, issuesOf } from "../api/errors";
import type { RateLimitKey, Site, SiteLimits } from "../api/types";
import { Panel } from "../components/panel";
import ui from "../components/ui.module.css";
import { formatCount, formatUsd } from "../shared/format";
import { RATE_LIMITS } from "./format";
import { SettingsField } from "./settings-field";
import { describeChanges, draftOf, placeIssues, readDraft, type BudgetKey, type FieldErrors, type FieldKey, type SiteDraft } from "./site-form";
import styles from "./sites.module.css";

/** Page order: after a refused save, the first field in it with a reason gets the focus. */
const FIELD_ORDER: readonly FieldKey[] = ["allowedOrigins", ...RATE_LIMITS.map((r) => r.key), "dailyBudgetUsd", "monthlyBudgetUsd", "reason"];

const BUDGETS: readonly { key: BudgetKey; label: string; per: string }[] = [
  { key: "dailyBudgetUsd", label: "Daily budget (USD)", per: "a UTC day" },
  { key: "monthlyBudgetUsd", label: "Monthly budget (USD)", per: "a calendar month" },
];

type Props = {
  site: Site;
  limits: SiteLimits;
  /** The widget app's origin, when the admin app knows it: its /demo page shows the chat only if it is allowed. */
  widgetOrigin: string | null;
  canChange: boolean;
};

/**
 * A site's allowed origins, rate limits and budgets, saved together. A
 * refused save keeps what was typed and puts the server's reasons beside the
 * fields; a viewer reads the same fields, read-only, with no Save.
 */
export function SiteSettingsForm({ site, limits, widgetOrigin, canChange }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const baseId = useId();
  const idOf = (key: FieldKey) => `${baseId}-${key}`;
  const fieldRefs = useRef<Partial<Record<FieldKey, HTMLInputElement | null>>>({});
  // What is stored, as this page last saved or loaded it: a save compares the form with it.
  const [stored, setStored] = useState(site);
  const [draft, setDraft] = useState(() => draftOf(site));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refusals, setRefusals] = useState<string[]>([]);
  // What the last save did; "unchanged" is said plainly, not as a success.
  const [notice, setNotice] = useState<{ text: string; saved: boolean } | null>(null);
  const update = useMutation(trpc.sites.update.mutationOptions());
  const readOnly = !canChange;

  function edit(key: FieldKey, value: string) {
    setDraft((d): SiteDraft => (key in d.rates ? { ...d, rates: { ...d.rates, [key]: value } } : { ...d, [key]: value }));
    setErrors((current) => {
      const next = { ...current };
      delete next[key];
      return next;
    });
    setNotice(null);
  }

  function showRefusal(fields: FieldErrors, others: string[]) {
    setErrors(fields);
    setRefusals(others.length > 0 || Object.keys(fields).length === 0 ? others : ["Some fields need a change: see the reasons beside them."]);
    const first = FIELD_ORDER.find((key) => fields[key]);
    if (first) fieldRefs.current[first]?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (readOnly || update.isPending) return;
    setNotice(null);
    setRefusals([]);
    const read = readDraft(stored, draft);
    if (!read.ok) return showRefusal(read.errors, []);
    setErrors({});
    if (!read.update) return setNotice({ text: "Nothing to save: every field is as stored.", saved: false });
    let saved: Site;
    try {
      saved = await update.mutateAsync(read.update);
    } catch (error) {
      const placed = placeIssues(issuesOf(error), read.origins);
      return showRefusal(placed.fields, placed.other.length > 0 || Object.keys(placed.fields).length > 0 ? placed.other : [describeFailure(error).message]);
    }
    setStored(saved);
    setDraft(draftOf(saved));
    setNotice({ text: `Saved the ${describeChanges(read.update.changes)} at ${new Date().toLocaleTimeString("en-GB")}.`, saved: true });
    // The list's budgets and the spend panel's effective budgets follow the change.
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.sites.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.sites.limits.queryKey({ id: site.id }) }),
    ]);
  }

  const field = (key: FieldKey) => ({
    id: idOf(key),
    error: errors[key],
    readOnly,
    ref: (el: HTMLInputElement | null) => {
      fieldRefs.current[key] = el;
    },
  });
  const widgetListed = widgetOrigin !== null && stored.allowedOrigins.includes(widgetOrigin);

  return (
    <form onSubmit={submit} noValidate aria-label="Site settings">
      <Panel title="Allowed origins" testId="allowed-origins">
        <SettingsField
          {...field("allowedOrigins")}
          label="Origins that may show the chat, one per line"
          multiline
          placeholder="https://www.example.com"
          value={draft.allowedOrigins}
          onChange={(v) => edit("allowedOrigins", v)}
          hint={
            `Each exactly scheme://host[:port]: only pages there may frame the chat (browsers enforce it with frame-ancestors). ` +
            (widgetOrigin
              ? `List the widget's own origin, ${widgetOrigin}, for its /demo page${widgetListed ? "." : " (it is not listed now)."}`
              : "List the widget app's own origin too, for its /demo page.")
          }
        />
      </Panel>

      <Panel title="Rate limits" testId="rate-limits">
        <p className={styles.hint}>Empty: the deployment&apos;s default. A visitor over a limit is asked to wait; the per-chat total ends the chat.</p>
        <div className={styles.grid}>
          {RATE_LIMITS.map(({ key, label }) => (
            <SettingsField
              key={key}
              {...field(key)}
              label={label}
              inputMode="numeric"
              placeholder={String(limits.defaults[key])}
              value={draft.rates[key as RateLimitKey]}
              onChange={(v) => edit(key, v)}
              hint={`Default: ${formatCount(limits.defaults[key])}`}
            />
          ))}
        </div>
      </Panel>

      <Panel title="Budgets" testId="budgets">
        <p className={styles.hint}>
          What the model may cost this site. Empty: the deployment&apos;s default. 0 switches the model off for this site: visitors are asked for their
          contact details instead.
        </p>
        <div className={styles.grid}>
          {BUDGETS.map(({ key, label, per }) => (
            <SettingsField
              key={key}
              {...field(key)}
              label={label}
              inputMode="decimal"
              placeholder={String(limits.defaults[key])}
              value={draft[key]}
              onChange={(v) => edit(key, v)}
              hint={`Default: ${formatUsd(limits.defaults[key])} ${per}`}
            />
          ))}
        </div>
      </Panel>

      {canChange && (
        <div className={ui.panel}>
          <SettingsField
            {...field("reason")}
            label="Reason (optional)"
            value={draft.reason}
            onChange={(v) => edit("reason", v)}
            hint="Kept with the change in the audit log."
          />
          {refusals.length > 0 && (
            <div role="alert" className={`${ui.banner} ${styles.saveBanner}`}>
              <p>Not saved.</p>
              {refusals.map((message) => (
                <p key={message}>{message}</p>
              ))}
            </div>
          )}
          <p role="status" className={notice ? `${notice.saved ? ui.notice : styles.unchanged} ${styles.saveBanner}` : "visually-hidden"}>
            {notice?.text}
          </p>
          <div className={`${ui.actions} ${styles.saveActions}`}>
            <button type="submit" className={ui.primary} aria-disabled={update.isPending}>
              {update.isPending ? "Saving…" : "Save"}
            </button>
          </div>
        </div>
      )}
    </form>
  );
}
