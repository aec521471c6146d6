import { and, desc, eq } from "drizzle-orm";

import { chatMessages } from "@leadline/db/schema";
import { scopedTo } from "@leadline/db/tenant";

import { extractEntities } from "../domain/index";
import type { Stage } from "../stage";

/** How much of the conversation extraction reads: bounded, whatever the visitor sent. */
export const EXTRACTION_WINDOW = 20;

/** Contact details and qualification signals from the visitor's own messages (never the model's). */
export const extractEntitiesStage: Stage = {
  name: "extract-entities",
  flag: "pipeline.background",
  modes: ["inline", "parallel", "background"],
  after: [],
  neededFrom: "complex",
  reads: ["chat_messages"],
  writes: [],
  timeoutMs: 2_000,
  async run(ctx) {
    const { facts } = ctx;
    const rows = await ctx.db
      .select({ role: chatMessages.role, content: chatMessages.content })
      .from(chatMessages)
      .where(scopedTo(facts.organizationId, chatMessages, and(eq(chatMessages.sessionId, facts.sessionId), eq(chatMessages.role, "user"))))
      .orderBy(desc(chatMessages.createdAt))
      .limit(EXTRACTION_WINDOW);
    ctx.state.entities = extractEntities(rows.reverse());
  },
};
