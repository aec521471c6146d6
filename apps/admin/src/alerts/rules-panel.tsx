"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { useTRPC } from "../api/api-provider";
import type { AlertRule } from "../api/types";
import { LoadFailure } from "../components/load-failure";
import { Panel } from "../components/panel";
import { TimeAgo } from "../components/time-ago";
import ui from "../components/ui.module.css";
import styles from "./alerts.module.css";
import { RuleDialog } from "./rule-dialog";
import { describeRule, describeWindow, formatThreshold } from "./rule-format";

/**
 * The organization's four alert rules and who changed each last. Admins edit
 * one in a dialog; viewers read them, with no control offered. Nothing is
 * offered until we know who this is, so a viewer never sees a live button.
 */
export function RulesPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const rules = useQuery(trpc.alerts.rules.queryOptions());
  const [editing, setEditing] = useState<AlertRule | null>(null);
  const [notice, setNotice] = useState("");
  const canChange = me.data?.role === "admin";

  async function saved(rule: AlertRule) {
    setEditing(null);
    setNotice(`Saved: ${describeRule(rule)}.`);
    await queryClient.invalidateQueries({ queryKey: trpc.alerts.rules.queryKey() });
  }

  return (
    <Panel title="Rules" testId="alert-rules">
      <p className={styles.rulesIntro}>
        The server checks these rules regularly (every 30 s by default). A rule opens an alert when its number is above the threshold over its window (once there are
        enough messages to tell), and closes it when the number is back below.
      </p>
      {me.data?.role === "viewer" && (
        <p className={ui.note} data-testid="rules-viewer-note">
          You are signed in as a viewer: you can read the rules, but only an admin can change them.
        </p>
      )}
      <p role="status" className={notice ? ui.notice : "visually-hidden"}>
        {notice}
      </p>
      {rules.isPending && <p className={ui.muted}>Loading the rules…</p>}
      {rules.isError && <LoadFailure what="the alert rules" error={rules.error} onRetry={() => rules.refetch()} />}
      {rules.data && (
        <div className={ui.tableWrap} role="region" aria-label="Alert rules table" tabIndex={0}>
          <table className={`${ui.table} ${styles.rules}`} data-testid="rules-table">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col" className={ui.num}>
                  Threshold
                </th>
                <th scope="col">Over</th>
                <th scope="col">State</th>
                <th scope="col">Last changed</th>
                {canChange && (
                  <th scope="col">
                    <span className="visually-hidden">Edit</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {rules.data.rules.map((rule) => (
                <tr key={rule.kind}>
                  <th scope="row">{rule.label}</th>
                  <td className={ui.num}>{formatThreshold(rule)}</td>
                  <td>{describeWindow(rule.forMinutes)}</td>
                  <td>
                    <span className={rule.enabled ? ui.badgeGood : ui.badge}>{rule.enabled ? "On" : "Off"}</span>
                  </td>
                  <td>
                    {rule.updatedBy ? (
                      <>
                        <TimeAgo iso={rule.updatedAt} /> by {rule.updatedBy}
                      </>
                    ) : (
                      <span className={ui.muted}>Never (the default)</span>
                    )}
                  </td>
                  {canChange && (
                    <td>
                      <button
                        type="button"
                        className={ui.button}
                        onClick={() => {
                          setNotice("");
                          setEditing(rule);
                        }}
                      >
                        Edit<span className="visually-hidden"> {rule.label}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && rules.data && (
        <RuleDialog
          key={editing.kind}
          rule={editing}
          windowsMinutes={rules.data.windowsMinutes}
          onCancel={() => setEditing(null)}
          onSaved={saved}
        />
      )}
    </Panel>
  );
}
