import type OpenAI from "openai";

import type { ChatMessage, LlmUsage } from "./client";
import { estimatePromptTokens, estimateTokens } from "./tokens";

export function readUsage(usage: OpenAI.CompletionUsage): LlmUsage {
  return {
    promptTokens: usage.prompt_tokens,
    cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    completionTokens: usage.completion_tokens,
    estimated: false,
  };
}

/** For when the server sent no usage: what the request and reply would roughly have cost. */
export function estimateUsage(messages: ChatMessage[], text: string): LlmUsage {
  return {
    promptTokens: estimatePromptTokens(messages),
    cachedPromptTokens: 0,
    completionTokens: estimateTokens(text),
    estimated: true,
  };
}
