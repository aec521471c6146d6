import { inArray } from "drizzle-orm";

import { messageCosts, modelRates } from "@leadline/db/schema";

import { computeCost } from "../cost";
import type { BatchableStage } from "../runner";
import type { StageContext } from "../stage";

/** The reply's cost from its usage and the model's rates; an unknown model is stored as unpriced. */
export const calculateCostStage: BatchableStage = {
  name: "calculate-cost",
  flag: "pipeline.background",
  modes: ["inline", "parallel", "background"],
  after: [],
  neededFrom: "simple",
  reads: ["model_rates"],
  writes: ["message_costs"],
  timeoutMs: 1_000,
  run: (ctx) => calculateCosts([ctx]),
  runBatch: calculateCosts,
};

/** The rates of the replies' models in one query, their costs in one insert; a retried job adds nothing. */
async function calculateCosts(ctxs: readonly StageContext[]) {
  const [first] = ctxs;
  if (!first) return;
  const models = [...new Set(ctxs.map((ctx) => ctx.facts.reply.model))];
  const rates = new Map((await first.db.select().from(modelRates).where(inArray(modelRates.model, models))).map((rate) => [rate.model, rate]));
  const rows = ctxs.map(({ facts: { reply, organizationId } }) => {
    const cost = computeCost(reply.usage, rates.get(reply.model));
    return {
      organizationId,
      messageId: reply.id,
      model: reply.model,
      inputTokens: reply.usage.promptTokens,
      cachedInputTokens: reply.usage.cachedPromptTokens,
      outputTokens: reply.usage.completionTokens,
      priced: cost.priced,
      costUsd: cost.usd,
      breakdown: cost.breakdown,
    };
  });
  await first.db.insert(messageCosts).values(rows).onConflictDoNothing({ target: messageCosts.messageId });
}
