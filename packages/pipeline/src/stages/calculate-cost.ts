import { inArray, sql } from "drizzle-orm";

import { modelRates } from "@leadline/db/schema";

import { recordsOf } from "../batch-sql";
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
      organization_id: organizationId,
      message_id: reply.id,
      model: reply.model,
      input_tokens: reply.usage.promptTokens,
      cached_input_tokens: reply.usage.cachedPromptTokens,
      output_tokens: reply.usage.completionTokens,
      priced: cost.priced,
      cost_usd: cost.usd,
      breakdown: cost.breakdown,
    };
  });
  await first.db.execute(sql`
    insert into message_costs (organization_id, message_id, model, input_tokens, cached_input_tokens, output_tokens, priced, cost_usd, breakdown)
    select organization_id, message_id, model, input_tokens, cached_input_tokens, output_tokens, priced, cost_usd, breakdown
    from jsonb_to_recordset(${recordsOf(rows)}::jsonb)
      as r(organization_id uuid, message_id uuid, model text, input_tokens int, cached_input_tokens int, output_tokens int, priced boolean, cost_usd numeric, breakdown jsonb)
    on conflict (message_id) do nothing`);
}
