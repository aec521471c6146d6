"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { useTRPC } from "../api/api-provider";
import { codeOf, describeFailure } from "../api/errors";
import type { FlagList, WindowMinutes } from "../api/types";
import { ChangeDialog } from "./change-dialog";
import { FlagCard } from "./flag-card";
import styles from "./flags.module.css";
import { WINDOWS, type PendingChange } from "./format";

/** Every pipeline flag: its state in Unleash, its rollout controls, and how its cohorts compare. Refreshed every 5 s. */
export function FlagsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  // flags.* answers NOT_FOUND to every organization but the deployment's operator: that is final, so polling stops.
  const list = useQuery(
    trpc.flags.list.queryOptions(undefined, { refetchInterval: (query) => (codeOf(query.state.error) === "NOT_FOUND" ? false : 5_000) }),
  );
  const notOperator = list.isError && codeOf(list.error) === "NOT_FOUND";
  const [windowMinutes, setWindowMinutes] = useState<WindowMinutes>(15);
  const [pending, setPending] = useState<PendingChange | null>(null);
  const [notice, setNotice] = useState("");

  const isViewer = me.data?.role === "viewer";
  const unleash = list.data?.unleash;
  // Nothing is offered until we know who this is: a viewer never sees live buttons, even for a moment.
  const canChange = me.data?.role === "admin" && unleash !== "not configured";

  async function changed(message: string) {
    setPending(null);
    setNotice(message);
    await queryClient.invalidateQueries({ queryKey: trpc.flags.pathKey() });
  }

  return (
    <>
      <div className={styles.top}>
        <div>
          <h1 className={styles.title}>Flags &amp; rollout</h1>
          <p className={styles.intro}>
            Roll each pipeline optimization out step by step (0 → 10 → 50 → 100 %). A change reaches every server within seconds; the rollout guard steps a
            flag back down when its sessions get slower or fail more than the others.
          </p>
        </div>
        <label className={styles.window}>
          <span>Compare cohorts over</span>
          <select value={windowMinutes} onChange={(e) => setWindowMinutes(Number(e.target.value) as WindowMinutes)}>
            {WINDOWS.map((w) => (
              <option key={w.minutes} value={w.minutes}>
                the last {w.label}
              </option>
            ))}
          </select>
        </label>
      </div>

      <UnleashBanner status={unleash} />
      {isViewer && (
        <p className={styles.note} data-testid="viewer-note">
          You are signed in as a viewer: you can watch rollouts, but only an admin can change them.
        </p>
      )}
      <p role="status" className={notice ? styles.notice : "visually-hidden"}>
        {notice}
      </p>

      {list.isPending && <p>Loading flags…</p>}
      {notOperator && (
        <p className={styles.note} data-testid="flags-not-operator">
          Flags are managed by the deployment&apos;s operator organization.
        </p>
      )}
      {list.isError && !notOperator && (
        <div role="alert" className={styles.banner}>
          <p>Could not load the flags: {describeFailure(list.error).message}</p>
          <button type="button" className={styles.button} onClick={() => list.refetch()}>
            Try again
          </button>
        </div>
      )}
      {list.data && (
        <ul className={styles.flags} aria-label="Flags">
          {list.data.flags.map((flag) => (
            <li key={flag.name}>
              <FlagCard flag={flag} canChange={canChange} windowMinutes={windowMinutes} onRequest={setPending} />
            </li>
          ))}
        </ul>
      )}

      {pending && <ChangeDialog key={JSON.stringify(pending)} change={pending} onCancel={() => setPending(null)} onDone={changed} />}
    </>
  );
}

function UnleashBanner({ status }: { status: FlagList["unleash"] | undefined }) {
  if (status === "unavailable") {
    return (
      <p role="alert" className={styles.banner}>
        <strong>Unleash is unavailable.</strong> The flags&apos; states cannot be read and changes will fail until it answers. Servers keep the flags they
        last fetched, or the defaults in code.
      </p>
    );
  }
  if (status === "not configured") {
    return (
      <p className={styles.banner}>
        <strong>Unleash is not configured.</strong> Every server uses the defaults in code, and rollouts cannot be changed here. Set UNLEASH_URL and
        UNLEASH_ADMIN_TOKEN on the API to manage flags.
      </p>
    );
  }
  return null;
}
