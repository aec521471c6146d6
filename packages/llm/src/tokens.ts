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
