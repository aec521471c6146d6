import { keepPreviousData } from "@tanstack/react-query";

/**
 * Every dashboard query refreshes every 5 s; what is on screen stays there
 * while the next numbers (or another window's) load, so nothing flickers.
 */
export const LIVE = { refetchInterval: 5_000, placeholderData: keepPreviousData } as const;
