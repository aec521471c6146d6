import { analyticsEvents } from "@leadline/db/schema";

import type { Stage } from "../stage";

/** One analytics row per reply: what kind of message, how it ended, how many tokens. */
export const recordAnalyticsStage: Stage = {
  name: "record-analytics",
  flag: "pipeline.background",
  modes: ["inline", "parallel", "background"],
  after: [],
  neededFrom: "simple",
  reads: [],
  writes: ["analytics_events"],
  timeoutMs: 1_000,
  async run(ctx) {
    const { facts } = ctx;
    await ctx.db
      .insert(analyticsEvents)
      .values({
        organizationId: facts.organizationId,
        sessionId: facts.sessionId,
        messageId: facts.reply.id,
        name: "message.replied",
        properties: {
          complexity: facts.complexity,
          status: facts.reply.status,
          promptTokens: facts.reply.usage.promptTokens,
          completionTokens: facts.reply.usage.completionTokens,
          userMessageChars: facts.userMessage.content.length,
        },
      })
      .onConflictDoNothing({ target: [analyticsEvents.messageId, analyticsEvents.name] });
  },
};
