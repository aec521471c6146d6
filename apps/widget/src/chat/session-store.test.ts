import { describe, expect, it } from "vitest";

import { createMemoryStore, ensureVisitorId, forgetSession, readSession, saveSession, sessionKey, type KeyValueStore } from "./session-store";

const session = {
  token: "payload.signature-xyz",
  greeting: "Hi!",
  theme: { title: "Chat with Demo", primaryColor: "#2563eb", position: "bottom-right" as const },
  demoModel: true,
};

describe("session store", () => {
  it("keeps one session per site key under leadline:<siteKey>:session", () => {
    const store = createMemoryStore();
    saveSession(store, "demo", session);
    expect(readSession(store, "demo")).toEqual(session);
    expect(readSession(store, "other")).toBeNull();
    expect(store.getItem("leadline:demo:session")).toContain("payload.signature-xyz");
    forgetSession(store, "demo");
    expect(readSession(store, "demo")).toBeNull();
  });

  it("reads corrupt or foreign data as no session", () => {
    const store = createMemoryStore();
    for (const raw of ["not json", "null", '{"token":"short"}', JSON.stringify({ ...session, theme: { ...session.theme, position: "top" } })]) {
      store.setItem(sessionKey("demo"), raw);
      expect(readSession(store, "demo")).toBeNull();
    }
  });

  it("creates the visitor id once per site and keeps it", () => {
    const store = createMemoryStore();
    let n = 0;
    const createId = () => `visitor-${++n}-abcdef`;
    expect(ensureVisitorId(store, "demo", createId)).toBe("visitor-1-abcdef");
    expect(ensureVisitorId(store, "demo", createId)).toBe("visitor-1-abcdef");
    expect(ensureVisitorId(store, "other", createId)).toBe("visitor-2-abcdef");
  });

  it("replaces a stored visitor id the schema would refuse", () => {
    const store = createMemoryStore();
    store.setItem("leadline:demo:visitor", "<bad id>");
    expect(ensureVisitorId(store, "demo", () => "fresh-id-123")).toBe("fresh-id-123");
  });

  it("keeps working when storage throws (blocked or full)", () => {
    const failing: KeyValueStore = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
      removeItem: () => {
        throw new Error("SecurityError");
      },
    };
    expect(readSession(failing, "demo")).toBeNull();
    expect(() => saveSession(failing, "demo", session)).not.toThrow();
    expect(() => forgetSession(failing, "demo")).not.toThrow();
    expect(ensureVisitorId(failing, "demo", () => "fresh-id-123")).toBe("fresh-id-123");
  });
});
