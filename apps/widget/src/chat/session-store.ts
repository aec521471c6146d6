/**
 * What the embed keeps in the browser, per site key: the signed session token
 * (with what startSession said, since `chat.history` does not repeat it) and a
 * random visitor id. Checked by hand rather than with zod so the embed bundle
 * stays free of it; anything unexpected reads as "no session".
 */
import type { Theme } from "@leadline/validators/chat";

import { createRandomId } from "./ids";

export type StoredSession = { token: string; greeting: string; theme: Theme; demoModel: boolean };

/** The subset of the Web Storage API used here, so tests pass a Map-backed one. */
export type KeyValueStore = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export const sessionKey = (siteKey: string) => `leadline:${siteKey}:session`;
export const visitorKey = (siteKey: string) => `leadline:${siteKey}:visitor`;

const VISITOR_ID = /^[A-Za-z0-9_-]{8,64}$/;

export function readSession(store: KeyValueStore, siteKey: string): StoredSession | null {
  const raw = safely(() => store.getItem(sessionKey(siteKey)), null);
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return isStoredSession(value) ? value : null;
  } catch {
    return null;
  }
}

export function saveSession(store: KeyValueStore, siteKey: string, session: StoredSession): void {
  safely(() => store.setItem(sessionKey(siteKey), JSON.stringify(session)), undefined);
}

export function forgetSession(store: KeyValueStore, siteKey: string): void {
  safely(() => store.removeItem(sessionKey(siteKey)), undefined);
}

/** The visitor id for this site, created once; returning visitors are recognised by it. */
export function ensureVisitorId(store: KeyValueStore, siteKey: string, createId: () => string = createRandomId): string {
  const stored = safely(() => store.getItem(visitorKey(siteKey)), null);
  if (stored && VISITOR_ID.test(stored)) return stored;
  const id = createId();
  safely(() => store.setItem(visitorKey(siteKey), id), undefined);
  return id;
}

/**
 * localStorage, or a memory stand-in where the browser refuses it (blocked
 * third-party storage, private modes): the chat still works for this page view.
 */
export function openBrowserStore(): KeyValueStore {
  try {
    const probe = "leadline:probe";
    window.localStorage.setItem(probe, "1");
    window.localStorage.removeItem(probe);
    return window.localStorage;
  } catch {
    return createMemoryStore();
  }
}

export function createMemoryStore(): KeyValueStore {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
  };
}

function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const theme = v.theme as Record<string, unknown> | null | undefined;
  return (
    typeof v.token === "string" &&
    v.token.length >= 10 &&
    typeof v.greeting === "string" &&
    typeof v.demoModel === "boolean" &&
    typeof theme === "object" &&
    theme !== null &&
    typeof theme.title === "string" &&
    typeof theme.primaryColor === "string" &&
    (theme.position === "bottom-right" || theme.position === "bottom-left")
  );
}

// Storage access throws when quota is exceeded or access is denied; the chat must not.
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
