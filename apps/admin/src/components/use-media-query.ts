"use client";

import { useCallback, useSyncExternalStore } from "react";

/** Whether a CSS media query matches now, following changes (false on the server). For what CSS cannot reach, such as a chart's axis width. */
export function useMediaQuery(query: string): boolean {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const list = globalThis.matchMedia(query);
      list.addEventListener("change", onChange);
      return () => list.removeEventListener("change", onChange);
    },
    [query],
  );
  return useSyncExternalStore(
    subscribe,
    () => globalThis.matchMedia(query).matches,
    () => false,
  );
}
