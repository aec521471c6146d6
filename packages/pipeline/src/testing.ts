/** Fixtures for the pipeline's database-backed tests. */
import { seedDatabase } from "@leadline/db/seed";
import { chatMessages, chatSessions, sites, visitors } from "@leadline/db/schema";
import type { TestDatabase } from "@leadline/db/testing";
import type { LlmClient, LlmEvent } from "@leadline/llm/client";
import { eq } from "drizzle-orm";

import type { Stage } from "./stage";

/** The demo organization and site, and a fresh session with one visitor. */
export async function seedSession(database: TestDatabase) {
  const { organizationId } = await seedDatabase(database.db, { demoOrigins: ["http://widget.test"], admin: { email: "admin@test.example", password: "password-for-tests" } });
  const [site] = await database.db.select().from(sites).where(eq(sites.publicKey, "demo"));
  if (!site) throw new Error("no demo site");
  const [visitor] = await database.db.insert(visitors).values({ organizationId, siteId: site.id }).returning();
  const [session] = await database.db.insert(chatSessions).values({ organizationId, siteId: site.id, visitorId: visitor!.id }).returning();
  return { organizationId, site, visitorId: visitor!.id, claims: { organizationId, siteId: site.id, sessionId: session!.id } };
}

export async function insertUserMessage(database: TestDatabase, claims: { organizationId: string; sessionId: string }, content: string) {
  const [message] = await database.db
    .insert(chatMessages)
    .values({ ...claims, role: "user", content, clientMessageId: `c-${crypto.randomUUID()}` })
    .returning();
  return message!;
}

/**
 * A model that answers at once with fixed text: these tests are about what
 * happens after the model (the chat tests run the real SDK and simulator).
 */
export function fixedReplyModel(text = "Thanks! A teammate will follow up."): LlmClient {
  return {
    model: "gpt-4o-mini",
    async *streamChat(): AsyncGenerator<LlmEvent> {
      for (const word of text.split(/(?<= )/)) yield { type: "token", text: word };
      yield {
        type: "end",
        status: "complete",
        text,
        usage: { promptTokens: 120, cachedPromptTokens: 0, completionTokens: 12, estimated: false },
        model: "gpt-4o-mini",
        timings: { firstTokenMs: 1, totalMs: 2, attempts: 1 },
      };
    },
  };
}

/** A stage for tests: runs in every mode, after nothing, for every message, within 10 s; give what the test is about. */
export function testStage(fields: Pick<Stage, "name" | "run"> & Partial<Stage>): Stage {
  return {
    flag: "pipeline.background",
    modes: ["inline", "parallel", "background"],
    after: [],
    neededFrom: "simple",
    reads: [],
    writes: [],
    timeoutMs: 10_000,
    ...fields,
  };
}
