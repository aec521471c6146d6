import { eq } from "drizzle-orm";

import type { Executor } from "@leadline/db/client";
import { modelRates } from "@leadline/db/schema";
import type { LlmUsage } from "@leadline/llm/client";

export type MessageCost =
  | { priced: true; usd: string; breakdown: { input: string; cachedInput: string; output: string } }
  | { priced: false; usd: null; breakdown: null };

export type Rate = { inputPerMillion: string; cachedInputPerMillion: string; outputPerMillion: string };

/**
 * usage × rates per million tokens. Cached prompt tokens are billed at the
 * cached rate, the rest of the prompt at the input rate. No rate: unpriced,
 * never $0. Computed in integer micro-cents to stay exact.
 */
export function computeCost(usage: LlmUsage, rate: Rate | undefined): MessageCost {
  if (!rate) return { priced: false, usd: null, breakdown: null };
  const uncached = Math.max(0, usage.promptTokens - usage.cachedPromptTokens);
  const input = scaled(rate.inputPerMillion) * BigInt(uncached);
  const cachedInput = scaled(rate.cachedInputPerMillion) * BigInt(usage.cachedPromptTokens);
  const output = scaled(rate.outputPerMillion) * BigInt(usage.completionTokens);
  return {
    priced: true,
    usd: toUsd(input + cachedInput + output),
    breakdown: { input: toUsd(input), cachedInput: toUsd(cachedInput), output: toUsd(output) },
  };
}

export async function findRate(db: Executor, model: string): Promise<Rate | undefined> {
  const [rate] = await db.select().from(modelRates).where(eq(modelRates.model, model));
  return rate;
}

// Rates have at most 6 decimals: scale to integers of 1e-6 USD per million tokens,
// so a cost is an integer of 1e-12 USD.
const SCALE = 6;
function scaled(decimal: string): bigint {
  const [whole = "0", fraction = ""] = decimal.split(".");
  return BigInt(whole) * 10n ** BigInt(SCALE) + BigInt((fraction + "0".repeat(SCALE)).slice(0, SCALE));
}
function toUsd(picoUsd: bigint): string {
  const digits = picoUsd.toString().padStart(13, "0");
  return `${digits.slice(0, -12)}.${digits.slice(-12, -4)}`; // 8 decimals, as stored
}
