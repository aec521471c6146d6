import { messageCosts } from "@leadline/db/schema";

import { computeCost, findRate } from "../cost";
import type { Stage } from "../stage";

/** The reply's cost from its usage and the model's rates; an unknown model is stored as unpriced. */
export const calculateCostStage: Stage = {
  name: "calculate-cost",
  flag: "pipeline.background",
  modes: ["inline", "parallel", "background"],
  after: [],
  neededFrom: "simple",
  reads: ["model_rates"],
  writes: ["message_costs"],
  timeoutMs: 1_000,
  async run(ctx) {
    const { reply, organizationId } = ctx.facts;
    const cost = computeCost(reply.usage, await findRate(ctx.db, reply.model));
    await ctx.db
      .insert(messageCosts)
      .values({
        organizationId,
        messageId: reply.id,
        model: reply.model,
        inputTokens: reply.usage.promptTokens,
        cachedInputTokens: reply.usage.cachedPromptTokens,
        outputTokens: reply.usage.completionTokens,
        priced: cost.priced,
        costUsd: cost.usd,
        breakdown: cost.breakdown,
      })
      .onConflictDoNothing({ target: messageCosts.messageId });
  },
};
