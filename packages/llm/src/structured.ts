import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import type { z } from "zod";

import type { ChatMessage, LlmErrorCode, LlmUsage } from "./client";
import { describeFailure, type Stop } from "./failures";
import { createHttpFetch } from "./http-fetch";
import { estimateUsage, readUsage } from "./usage";

export type { ChatMessage, LlmErrorCode, LlmUsage } from "./client";

export type StructuredResult<T> =
  | { ok: true; value: T; usage: LlmUsage; model: string }
  | { ok: false; code: LlmErrorCode | "invalid_output"; message: string };

export type StructuredExtractorOptions = {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** For the whole call, the SDK's one retry and its wait included. */
  timeoutMs: number;
  maxOutputTokens: number;
};

export type ExtractOptions = { signal?: AbortSignal };

export type StructuredExtractor = {
  /**
   * Asks the model for JSON matching `schema` (OpenAI structured outputs,
   * strict) and checks the answer against it. Never throws for upstream
   * trouble or bad output; both come back as `ok: false`.
   */
  extract<T>(
    messages: ChatMessage[],
    schema: z.ZodType<T>,
    schemaName: string,
    opts?: ExtractOptions,
  ): Promise<StructuredResult<T>>;
};

type Failed = Extract<StructuredResult<never>, { ok: false }>;

export function createStructuredExtractor(options: StructuredExtractorOptions): StructuredExtractor {
  // Extraction runs in the background, so one SDK retry of a 5xx, 429 or dropped connection costs nobody a wait.
  // The chat stream's fetch (see http-fetch.ts): the SDK's default one (undici's, over web streams) costs the worker thread far more CPU per call.
  const openai = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 1, fetch: createHttpFetch() });
  return {
    extract: (messages, schema, schemaName, opts = {}) =>
      extract(openai, options, { messages, schema, schemaName, signal: opts.signal }),
  };
}

type ExtractRequest<T> = {
  messages: ChatMessage[];
  schema: z.ZodType<T>;
  schemaName: string;
  signal: AbortSignal | undefined;
};

async function extract<T>(
  openai: OpenAI,
  options: StructuredExtractorOptions,
  request: ExtractRequest<T>,
): Promise<StructuredResult<T>> {
  const format = readResponseFormat(request.schema, request.schemaName);
  if ("ok" in format) return format;

  const call = startCall(options.timeoutMs, request.signal);
  // `create` rather than `parse`: parse throws for a refusal, a cut-off or a
  // schema mismatch too, mixed in with transport errors. This way every throw
  // is the upstream's, and the output is ours to judge.
  const sent = sendRequest(() =>
    openai.chat.completions.create(
      {
        model: options.model,
        messages: request.messages,
        response_format: format,
        max_completion_tokens: options.maxOutputTokens,
      },
      { signal: call.signal },
    ),
  );
  // The SDK sleeps out a retry-after without watching the signal; the race keeps the deadline hard anyway.
  const settled = await Promise.race([sent, call.stopped]);
  call.end();
  if ("error" in settled) {
    const failure = describeFailure(settled.error, call.stop());
    return { ok: false, code: failure.code, message: failure.message };
  }
  return readOutput(settled.completion, request, options);
}

type Settled = { completion: OpenAI.ChatCompletion } | { error: unknown };

/** Settles, never rejects: after a timeout nobody waits on the request, and its late failure must not go unhandled. */
function sendRequest(send: () => Promise<OpenAI.ChatCompletion>): Promise<Settled> {
  return Promise.resolve()
    .then(send)
    .then(
      (completion) => ({ completion }),
      (error: unknown) => ({ error }),
    );
}

/**
 * Formats built so far, by schema and then by name (the name is sent inside
 * the format). Converting a zod schema to JSON schema is costly and was redone
 * on every call; a schema is immutable and callers declare theirs once, so the
 * answer, a failure included, never changes.
 */
const responseFormats = new WeakMap<z.ZodType, Map<string, OpenAI.ResponseFormatJSONSchema | Failed>>();

function readResponseFormat(schema: z.ZodType, name: string): OpenAI.ResponseFormatJSONSchema | Failed {
  let byName = responseFormats.get(schema);
  if (!byName) {
    byName = new Map();
    responseFormats.set(schema, byName);
  }
  let format = byName.get(name);
  if (!format) {
    format = buildResponseFormat(schema, name);
    byName.set(name, format);
  }
  return format;
}

/**
 * The strict JSON schema OpenAI needs, from the zod schema via the SDK's own
 * helper. A schema structured outputs cannot express (a non-object root, an
 * `.optional()` without `.nullable()`, a transform) is a bad request, found
 * before anything is sent.
 */
function buildResponseFormat(schema: z.ZodType, name: string): OpenAI.ResponseFormatJSONSchema | Failed {
  try {
    return zodResponseFormat(schema, name);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = `schema '${name}' cannot be used for structured outputs: ${reason}`;
    return { ok: false, code: "bad_request", message };
  }
}

/** Our deadline and the caller's signal as one AbortSignal for the SDK; the first reason to stop wins. */
function startCall(timeoutMs: number, signal: AbortSignal | undefined) {
  const controller = new AbortController();
  let stop: Stop | null = null;
  let onStop: () => void = () => {};
  const stopped = new Promise<Settled>((resolve) => {
    onStop = () => resolve({ error: null });
  });
  const halt = (reason: Stop) => {
    stop ??= reason;
    controller.abort();
    onStop();
  };
  const onCallerAbort = () => halt({ code: "aborted", message: "the caller aborted the request" });
  signal?.addEventListener("abort", onCallerAbort, { once: true });
  if (signal?.aborted) onCallerAbort();
  const onDeadline = () => halt({ code: "timeout", message: `no structured output within ${timeoutMs} ms` });
  const timer = setTimeout(onDeadline, timeoutMs);
  return {
    signal: controller.signal,
    stopped,
    stop: () => stop,
    /** Closes whatever is still open: a hung request, or a retry the SDK is waiting to send. */
    end() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onCallerAbort);
      controller.abort();
    },
  };
}

function readOutput<T>(
  completion: OpenAI.ChatCompletion,
  request: ExtractRequest<T>,
  options: StructuredExtractorOptions,
): StructuredResult<T> {
  const choice = completion.choices[0];
  const content = choice?.message.content;
  if (choice?.message.refusal) return invalidOutput(`the model refused: ${choice.message.refusal}`);
  if (choice?.finish_reason === "length") {
    return invalidOutput(`the output was cut off at ${options.maxOutputTokens} tokens`);
  }
  if (choice?.finish_reason === "content_filter") return invalidOutput("the output was withheld by the content filter");
  if (!content) return invalidOutput("the model returned no content");

  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return invalidOutput("the model's output is not valid JSON");
  }
  // Strict mode promises schema-valid JSON; checking again covers what JSON Schema
  // cannot say (refinements, formats the model ignored) and servers that are not OpenAI.
  const parsed = request.schema.safeParse(json);
  if (!parsed.success) {
    return invalidOutput(`the model's output does not match '${request.schemaName}': ${describeIssue(parsed.error)}`);
  }
  return {
    ok: true,
    value: parsed.data,
    usage: completion.usage ? readUsage(completion.usage) : estimateUsage(request.messages, content),
    model: completion.model || options.model,
  };
}

function invalidOutput(message: string): Failed {
  return { ok: false, code: "invalid_output", message };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  return issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message;
}
