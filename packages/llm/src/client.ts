import OpenAI from "openai";

import { runAttempt, type AttemptResult } from "./attempt";
import { createHttpFetch } from "./http-fetch";
import type { Failure } from "./failures";
import { estimateUsage } from "./usage";

export { countPromptTokens, countTokens, estimateTokens, fitToTokenBudget, tokenUpperBound } from "./tokens";

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

export type LlmUsage = {
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  /** True when the server sent no usage and the numbers come from estimateTokens. */
  estimated: boolean;
};

export type LlmErrorCode = "rate_limited" | "upstream_error" | "timeout" | "aborted" | "bad_request";

export type LlmEvent =
  | { type: "token"; text: string }
  | {
      type: "end";
      status: "complete" | "partial" | "failed";
      text: string;
      usage: LlmUsage;
      model: string;
      timings: { firstTokenMs: number | null; totalMs: number; attempts: number };
      error?: { code: LlmErrorCode; message: string };
    };

export type LlmClientOptions = {
  apiKey: string;
  baseURL?: string;
  model: string;
  maxOutputTokens: number;
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  /** Retries before the first content byte only: a visitor never sees a reply restart. */
  maxRetries: number;
};

export type StreamChatOptions = { signal?: AbortSignal };

export type LlmClient = {
  model: string;
  streamChat(messages: ChatMessage[], opts?: StreamChatOptions): AsyncGenerator<LlmEvent>;
};

const BACKOFF_BASE_MS = 200;

export function createLlmClient(options: LlmClientOptions): LlmClient {
  // Retries are ours: the SDK's would also retry after a stream has started.
  const openai = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, fetch: createHttpFetch() });
  return {
    model: options.model,
    streamChat: (messages, opts = {}) => streamChat(openai, options, messages, opts.signal),
  };
}

/** Yields tokens as they arrive, then exactly one `end` event; never throws for upstream failures. */
async function* streamChat(
  openai: OpenAI,
  options: LlmClientOptions,
  messages: ChatMessage[],
  signal: AbortSignal | undefined,
): AsyncGenerator<LlmEvent> {
  const startedAt = performance.now();
  const progress = { text: "", firstTokenAt: null as number | null };
  let attempts = 0;
  let result: AttemptResult;
  for (;;) {
    attempts += 1;
    result = yield* runAttempt({ openai, options, messages, signal, progress });
    if (result.ok || !canRetry(result.failure, progress.text, attempts, options.maxRetries)) break;
    const delay = result.failure.retryAfterMs ?? BACKOFF_BASE_MS * 2 ** (attempts - 1);
    if (!(await sleep(delay, signal))) {
      result = { ok: false, failure: { code: "aborted", message: "the caller aborted the request", retryable: false } };
      break;
    }
  }

  const finishedAt = performance.now();
  yield {
    type: "end",
    status: result.ok ? "complete" : progress.text ? "partial" : "failed",
    text: progress.text,
    usage: result.ok && result.usage ? result.usage : estimateUsage(messages, progress.text),
    model: result.ok ? result.model : options.model,
    timings: {
      firstTokenMs: progress.firstTokenAt === null ? null : progress.firstTokenAt - startedAt,
      totalMs: finishedAt - startedAt,
      attempts,
    },
    ...(result.ok ? {} : { error: { code: result.failure.code, message: result.failure.message } }),
  };
}

function canRetry(failure: Failure, text: string, attempts: number, maxRetries: number): boolean {
  return failure.retryable && text === "" && attempts <= maxRetries;
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
