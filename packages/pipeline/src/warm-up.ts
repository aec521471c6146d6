import { randomUUID } from "node:crypto";

import type { Database } from "@leadline/db/client";

import { saveReply } from "./save-reply";
import { storeUserMessage } from "./session-state";

/**
 * Runs the statements of a visitor's path once on a connection, so that
 * they are prepared there before a visitor needs them (a statement's first
 * use on a connection costs an extra round trip: describe, then execute).
 * They name a session that does not exist, so nothing is written: the user
 * message's insert finds no session, and the reply's insert fails on its
 * foreign key after the statement was prepared.
 */
export async function prepareAnswerPath(db: Database): Promise<void> {
  const claims = { sessionId: randomUUID(), siteId: randomUUID(), organizationId: randomUUID() };
  await storeUserMessage(db, claims, { clientMessageId: "warm-up", text: "warm-up" }).catch(() => undefined);
  const end = {
    type: "end" as const,
    text: "warm-up",
    status: "complete" as const,
    model: "warm-up",
    usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1, estimated: false },
    timings: { firstTokenMs: 1, totalMs: 1, attempts: 1 },
  };
  await saveReply(db, claims, randomUUID(), end, true, { stages: [], complexity: "simple", flags: {} }).catch(() => undefined);
}
