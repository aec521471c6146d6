/** How the conversation pages word a message and its timings: plain functions, tested without a browser. */
import type { ConversationMessage, MessageTiming } from "../api/types";
import { formatCount, formatMs, formatUsd } from "../shared/format";

export function roleLabel(role: ConversationMessage["role"]): string {
  if (role === "user") return "Visitor";
  if (role === "assistant") return "Assistant";
  return role;
}

/** Only an unusual status is worth a word: a complete message says nothing. */
export function describeStatus(message: Pick<ConversationMessage, "status" | "errorCode">): string | null {
  const code = message.errorCode ? ` (${message.errorCode})` : "";
  if (message.status === "partial") return `Partial: the answer was cut off${code}`;
  if (message.status === "failed") return `Failed${code}`;
  return null;
}

/** The first block of a UUID, enough to tell sessions apart on screen. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

export type Fact = { label: string; value: string };

/** Where one answer's time and money went, in reading order; what was not recorded is left out. */
export function answerFacts(message: Pick<ConversationMessage, "model" | "usage" | "cost" | "timing">): Fact[] {
  const { timing, cost, usage } = message;
  const facts: Fact[] = [];
  if (timing) {
    facts.push({ label: "First token", value: formatMs(timing.timeToFirstTokenMs) });
    facts.push({ label: "Total", value: formatMs(timing.totalMs) });
    if (timing.llmMs !== null) facts.push({ label: "Model call", value: formatMs(timing.llmMs) });
    if (timing.criticalPostMs !== null) facts.push({ label: "Critical post-processing", value: formatMs(timing.criticalPostMs) });
    if (timing.complexity) facts.push({ label: "Complexity", value: timing.complexity });
  }
  const model = cost?.model ?? message.model;
  if (model) facts.push({ label: "Model", value: model });
  if (cost) facts.push({ label: "Cost", value: cost.priced ? formatUsd(cost.usd) : "not priced" });
  if (usage) {
    const cached = usage.cachedPromptTokens ? `, ${formatCount(usage.cachedPromptTokens)} cached` : "";
    facts.push({ label: "Tokens", value: `${formatCount(usage.promptTokens)} in${cached}, ${formatCount(usage.completionTokens)} out${usage.estimated ? " (estimated)" : ""}` });
  }
  return facts;
}

/** The stages of one answer, slowest first; background ones last, as the visitor never waited for them. */
export function orderStages(stages: MessageTiming["stages"]): MessageTiming["stages"] {
  const rank = (mode: string) => (mode === "background" ? 1 : 0);
  return [...stages].sort((a, b) => rank(a.mode) - rank(b.mode) || b.ms - a.ms);
}
