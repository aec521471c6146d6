import { analyticsEvents } from "@leadline/db/schema";

import type { BatchableStage } from "../runner";
import type { MessageFacts, StageContext } from "../stage";

/** One analytics row per reply: what kind of message, how it ended, how many tokens. */
export const recordAnalyticsStage: BatchableStage = {
  name: "record-analytics",
  flag: "pipeline.background",
  modes: ["inline", "parallel", "background"],
  after: [],
  neededFrom: "simple",
  reads: [],
  writes: ["analytics_events"],
  timeoutMs: 1_000,
  run: (ctx) => recordAnalytics([ctx]),
  runBatch: recordAnalytics,
};

/** One insert for every reply given; a retried job adds nothing. */
async function recordAnalytics(ctxs: readonly StageContext[]) {
  const [first] = ctxs;
  if (!first) return;
  await first.db
    .insert(analyticsEvents)
    .values(ctxs.map(({ facts }) => rowOf(facts)))
    .onConflictDoNothing({ target: [analyticsEvents.messageId, analyticsEvents.name] });
}

function rowOf(facts: MessageFacts) {
  return {
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
  };
}
