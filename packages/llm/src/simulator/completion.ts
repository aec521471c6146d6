import { randomBytes } from "node:crypto";

import { z } from "zod";

import { estimatePromptTokens, estimateTokens } from "../tokens";
import { responseFormatSchema } from "./response-format";
import { writeReply, type Turn } from "./script";

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(["system", "developer", "user", "assistant", "tool"]),
        content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
      }),
    )
    .min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  response_format: responseFormatSchema.nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;

type Usage = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
};

/** Everything about one answer that does not depend on timing. */
export type ReplyPlan = {
  id: string;
  created: number;
  model: string;
  /** Word-ish pieces, one per streamed chunk; joined they are the reply. */
  pieces: string[];
  finishReason: "stop" | "length";
  usage: Usage;
};

export function planReply(request: ChatRequest, replyTokens: number | undefined): ReplyPlan {
  const turns = readTurns(request);
  return planPieces(request, turns, splitIntoPieces(writeReply(turns, replyTokens)));
}

/** A plan for any reply text, already cut into the pieces it streams as; cut short at the token limit. */
export function planPieces(request: ChatRequest, turns: readonly Turn[], allPieces: string[]): ReplyPlan {
  const limit = request.max_completion_tokens ?? request.max_tokens ?? Number.POSITIVE_INFINITY;
  const pieces = keepWithin(allPieces, limit);
  const promptTokens = estimatePromptTokens(turns);
  const completionTokens = estimateTokens(pieces.join(""));
  return {
    id: `chatcmpl-${randomBytes(12).toString("base64url")}`,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    pieces,
    finishReason: pieces.length < allPieces.length ? "length" : "stop",
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: estimateCachedTokens(promptTokens) },
    },
  };
}

/**
 * Like OpenAI's prompt caching: nothing under 1024 tokens, otherwise a
 * deterministic share in steps of 128 (the largest multiple below half).
 */
function estimateCachedTokens(promptTokens: number): number {
  if (promptTokens < 1024) return 0;
  return Math.floor((promptTokens / 2 - 1) / 128) * 128;
}

const FINGERPRINT = "fp_leadline_sim";

export function buildChunk(plan: ReplyPlan, delta: Record<string, string>, finishReason: string | null, withUsage: boolean) {
  return {
    id: plan.id,
    object: "chat.completion.chunk",
    created: plan.created,
    model: plan.model,
    system_fingerprint: FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
    ...(withUsage ? { usage: null } : {}),
  };
}

export function buildUsageChunk(plan: ReplyPlan) {
  return {
    id: plan.id,
    object: "chat.completion.chunk",
    created: plan.created,
    model: plan.model,
    system_fingerprint: FINGERPRINT,
    choices: [],
    usage: plan.usage,
  };
}

export function buildCompletion(plan: ReplyPlan) {
  return {
    id: plan.id,
    object: "chat.completion",
    created: plan.created,
    model: plan.model,
    system_fingerprint: FINGERPRINT,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: plan.pieces.join(""), refusal: null },
        logprobs: null,
        finish_reason: plan.finishReason,
      },
    ],
    usage: plan.usage,
  };
}

export function readTurns(request: ChatRequest): Turn[] {
  return request.messages.map((m) => ({ role: m.role, content: readContent(m.content) }));
}

function readContent(content: ChatRequest["messages"][number]["content"]): string {
  if (typeof content === "string") return content;
  return (content ?? []).map((part) => part.text ?? "").join("");
}

/** Pieces keep their leading space, as OpenAI's tokens do: " world". */
function splitIntoPieces(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

function keepWithin(pieces: string[], maxTokens: number): string[] {
  const kept: string[] = [];
  let text = "";
  for (const piece of pieces) {
    if (estimateTokens(text + piece) > maxTokens) break;
    text += piece;
    kept.push(piece);
  }
  return kept;
}
