import { APIError, OpenAIError, type OpenAI } from "openai";

import type { ChatMessage, LlmClientOptions, LlmEvent, LlmUsage } from "./client";
import { describeFailure, type Failure, type Stop } from "./failures";
import { takeBody } from "./http-fetch";
import { readEventBatches, readEventBatchesOfStream, type EventBatches } from "./sse";
import { readUsage } from "./usage";

export type AttemptContext = {
  openai: OpenAI;
  options: LlmClientOptions;
  messages: ChatMessage[];
  signal: AbortSignal | undefined;
  /** Shared across attempts: what the visitor has already been sent. */
  progress: { text: string; firstTokenAt: number | null };
};

export type AttemptResult =
  | { ok: true; usage: LlmUsage | null; model: string }
  | { ok: false; failure: Failure };

type TokenEvent = Extract<LlmEvent, { type: "token" }>;

/**
 * One upstream request. Yields content deltas; returns how it ended. Every
 * exit before the end of the stream aborts the request's own controller,
 * which closes the upstream connection.
 */
export async function* runAttempt(ctx: AttemptContext): AsyncGenerator<TokenEvent, AttemptResult> {
  const { options, signal } = ctx;
  const controller = new AbortController();
  let stop: Stop | null = null;
  const halt = (reason: Stop) => {
    stop ??= reason;
    controller.abort();
  };
  const onCallerAbort = () => halt({ code: "aborted", message: "the caller aborted the request" });
  signal?.addEventListener("abort", onCallerAbort, { once: true });
  if (signal?.aborted) onCallerAbort();

  const watchdog = createWatchdog();
  watchdog.arm(options.firstTokenTimeoutMs, () =>
    halt({ code: "timeout", message: `no first token within ${options.firstTokenTimeoutMs} ms` }),
  );
  const armIdle = () =>
    watchdog.arm(options.idleTimeoutMs, () =>
      halt({ code: "timeout", message: `the stream was idle for ${options.idleTimeoutMs} ms` }),
    );

  let usage: LlmUsage | null = null;
  let model = options.model;
  let finished = false;
  let receivedToken = false;
  /** Read to its end: the connection is already back in the pool, and an abort would only cost a DOMException. */
  let drained = false;
  let source: EventBatches | undefined;
  try {
    // The SDK makes the call (its request, headers, errors for a refused one); the stream it answers with is read here (see sse.ts).
    const response = await ctx.openai.chat.completions
      .create(
        {
          model: options.model,
          messages: ctx.messages,
          stream: true,
          stream_options: { include_usage: true },
          max_completion_tokens: options.maxOutputTokens,
        },
        { signal: controller.signal },
      )
      .asResponse();
    if (!response.body) throw new OpenAIError("the stream came without a body");
    let ended = false;
    const chunks = takeBody(response);
    source = chunks ? readEventBatches(chunks) : readEventBatchesOfStream(response.body);
    const { headers } = response;
    for (let events = await source.next(); events !== null; events = await source.next()) {
      // Chunks already buffered when we stopped are not delivered: after an abort nothing more reaches the caller.
      if (stop) break;
      // A read's chunks go out as one token event: the same text, fewer rounds through every consumer.
      let text = "";
      for (const event of events) {
        if (ended) continue; // after [DONE] the rest is read (the connection stays reusable) and ignored, as the SDK does
        if (event.data.startsWith("[DONE]")) {
          ended = true;
          continue;
        }
        const chunk = parseChunk(event.data, headers);
        model = chunk.model || model;
        if (chunk.usage) usage = readUsage(chunk.usage);
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason) finished = true;
        if (choice?.delta?.content) text += choice.delta.content;
      }
      if (text) {
        receivedToken = true;
        ctx.progress.text += text;
        ctx.progress.firstTokenAt ??= performance.now();
        // A slow consumer is not an idle upstream: the clock stops while we wait for it.
        watchdog.pause();
        yield { type: "token", text };
      }
      // Until the first token only the first-token deadline counts; after it, any chunk is a sign of life.
      if (receivedToken) armIdle();
    }
    drained = !stop;
  } catch (error) {
    return { ok: false, failure: describeFailure(error, stop) };
  } finally {
    source?.close();
    watchdog.disarm();
    signal?.removeEventListener("abort", onCallerAbort);
    if (!drained) controller.abort();
  }
  // A stop that came between two reads ended the loop quietly: it is checked here.
  if (stop) return { ok: false, failure: describeFailure(null, stop) };
  if (!finished) {
    return {
      ok: false,
      failure: { code: "upstream_error", message: "the stream ended before the model finished", retryable: true },
    };
  }
  return { ok: true, usage, model };
}

/**
 * One deadline at a time. Re-arming, which happens for every token, moves
 * the deadline without touching the timer: the timer only wakes at the old
 * deadline to find the new one (a timer per token is CPU the streams of
 * other visitors wait for). A nearer deadline than the timer's reschedules it.
 */
function createWatchdog() {
  let timer: NodeJS.Timeout | undefined;
  let firesAt = Infinity;
  let deadline = Infinity;
  let onExpire = () => {};
  const schedule = (at: number) => {
    clearTimeout(timer);
    firesAt = at;
    timer = setTimeout(check, Math.max(0, at - performance.now()));
  };
  const check = () => {
    timer = undefined;
    firesAt = Infinity;
    if (deadline === Infinity) return;
    if (performance.now() >= deadline) onExpire();
    else schedule(deadline);
  };
  return {
    arm(ms: number, expire: () => void) {
      onExpire = expire;
      deadline = performance.now() + ms;
      if (!timer || firesAt > deadline) schedule(deadline);
    },
    /** Stops the clock; the timer, if any, finds no deadline when it wakes. */
    pause() {
      deadline = Infinity;
    },
    disarm() {
      deadline = Infinity;
      clearTimeout(timer);
      timer = undefined;
      firesAt = Infinity;
    },
  };
}

/** A chunk's JSON; an error the server sends inside the stream is thrown as the SDK would throw it. */
function parseChunk(data: string, headers: Headers): OpenAI.ChatCompletionChunk {
  const chunk = JSON.parse(data) as OpenAI.ChatCompletionChunk & { error?: unknown };
  if (chunk && chunk.error) throw new APIError(undefined, chunk.error as object, undefined, headers);
  return chunk;
}
