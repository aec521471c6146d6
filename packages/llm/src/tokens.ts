import { countTokens as encodedLength } from "gpt-tokenizer/encoding/o200k_base";

/**
 * Token estimates for when no tokenizer answer is available (a broken stream,
 * a server that omits usage, the simulator). Roughly 4 characters per token,
 * the rule of thumb for English with OpenAI's tokenizers.
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.max(1, Math.round(text.length / 4));
}

// OpenAI's chat format wraps every message in a few framing tokens and primes
// the reply with a few more; counting them keeps estimates close to billed usage.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;

export function estimatePromptTokens(messages: ReadonlyArray<{ content: string }>): number {
  const framed = messages.reduce((sum, m) => sum + estimateTokens(m.content) + TOKENS_PER_MESSAGE, 0);
  return framed + TOKENS_PER_REPLY;
}

/**
 * Exact token counts with o200k_base, the encoding of the gpt-4o family
 * (other OpenAI-compatible models count within a few percent of it). Used
 * where a count decides something: the history that fits a prompt, the
 * worst case a message can cost.
 */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : encodedLength(text);
}

/**
 * At least as many tokens as `text` has: every o200k_base token stands for
 * one byte or more of UTF-8, so the byte length bounds the count, at the
 * cost of a native length instead of the tokenizer.
 */
export function tokenUpperBound(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** A chat prompt's tokens: each message's content plus its framing, plus the reply's priming. */
export function countPromptTokens(messages: ReadonlyArray<{ content: string }>): number {
  return messages.reduce((sum, m) => sum + countTokens(m.content) + TOKENS_PER_MESSAGE, 0) + TOKENS_PER_REPLY;
}

/**
 * The newest messages whose tokens (content and framing) fit the budget,
 * oldest first. Counting stops at the first message that does not fit, so a
 * long history costs no more to trim than the budget it keeps. A history
 * whose bytes fit the budget fits it in tokens too and is kept without
 * running the tokenizer (see tokenUpperBound): the common short
 * conversation costs no tokenizing on the way to the model.
 */
export function fitToTokenBudget<M extends { content: string }>(messages: readonly M[], budget: number): M[] {
  let bound = 0;
  for (const message of messages) bound += tokenUpperBound(message.content) + TOKENS_PER_MESSAGE;
  if (bound <= budget) return [...messages];
  const kept: M[] = [];
  let used = 0;
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i]!;
    used += countTokens(message.content) + TOKENS_PER_MESSAGE;
    if (used > budget) break;
    kept.push(message);
  }
  return kept.reverse();
}
