import { sql } from "drizzle-orm";

import { recordsOf } from "../batch-sql";
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
  await first.db.execute(sql`
    insert into analytics_events (organization_id, session_id, message_id, name, properties)
    select organization_id, session_id, message_id, 'message.replied', properties
    from jsonb_to_recordset(${recordsOf(ctxs.map(({ facts }) => rowOf(facts)))}::jsonb) as r(organization_id uuid, session_id uuid, message_id uuid, properties jsonb)
    on conflict (message_id, name) do nothing`);
}

function rowOf(facts: MessageFacts) {
  return {
    organization_id: facts.organizationId,
    session_id: facts.sessionId,
    message_id: facts.reply.id,
    properties: {
      complexity: facts.complexity,
      status: facts.reply.status,
      promptTokens: facts.reply.usage.promptTokens,
      completionTokens: facts.reply.usage.completionTokens,
      userMessageChars: facts.userMessage.content.length,
    },
  };
}
