"use client";

import { useSyncExternalStore } from "react";

import { formatAgo, formatDateTime } from "../shared/format";

// One clock for every "3 min ago" on the page, ticking while any is shown.
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void) {
  if (listeners.size === 0) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 15_000);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) clearInterval(timer);
  };
}

const getNow = () => now;

/** The current time, as of the last tick of the shared clock (every 15 s). */
export function useNow(): number {
  return useSyncExternalStore(subscribe, getNow, getNow);
}

/** "12 min ago", with the exact date and time on hover and in the markup. */
export function TimeAgo({ iso }: { iso: string }) {
  const current = useNow();
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatAgo(iso, current)}
    </time>
  );
}
