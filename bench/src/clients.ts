/**
 * The three ways the bench asks for an answer, all timed the same way
 * (performance.now() at the client): the widget's tRPC client, a minimal
 * fetch client speaking the same wire format, and the OpenAI SDK straight to
 * the simulator (variant D, the floor).
 */
import type { AppRouter } from "@leadline/api";
import type { SendEvent } from "@leadline/validators/chat";
import { createTRPCClient, httpBatchStreamLink, httpLink, splitLink } from "@trpc/client";
import OpenAI from "openai";

import { BENCH_ORIGIN } from "./system";
import { readJsonLines, readSendStream } from "./wire";

/** One answer as the client saw it; times are performance.now() values. */
export type MessageResult = {
  startedAt: number;
  /**
   * The response's headers arrived. The server sends them once chat.send is
   * admitted (its rate limits and budget checked in the database, so that a
   * refusal can be a plain 429) and before any lookup of the send itself
   * (tRPC's stream starts with a head): the request's way in (connection,
   * accept, the server's event loop getting to it) plus admission. Null for
   * the @trpc/client client.
   */
  headersAt?: number | null;
  firstTokenAt: number | null;
  lastTokenAt: number | null;
  /** The done event (server variants) or the end of the stream (D). */
  doneAt: number | null;
  /** Assistant message id from the done event. */
  messageId: string | null;
  error: string | null;
};

export type ChatClientKind = "fetch" | "trpc";

export type ChatClient = {
  startSession(): Promise<string>;
  /** Resolves at "done" or "error"; the rest of the stream (an "enhanced" event) is read on in the background. */
  send(sessionToken: string, clientMessageId: string, text: string, flags: string): Promise<MessageResult>;
};

const MESSAGE_TIMEOUT_MS = 60_000;

export function createChatClient(kind: ChatClientKind, apiUrl: string): ChatClient {
  return kind === "trpc" ? createTrpcChatClient(apiUrl) : createFetchChatClient(apiUrl);
}

/** Tracks one send's events into a MessageResult. */
function createTracker(startedAt: number) {
  const result: MessageResult = { startedAt, firstTokenAt: null, lastTokenAt: null, doneAt: null, messageId: null, error: null };
  let settle: (r: MessageResult) => void = () => {};
  const settled = new Promise<MessageResult>((resolve) => (settle = resolve));
  return {
    result,
    settled,
    onEvent(event: SendEvent) {
      const now = performance.now();
      if (event.type === "token") {
        result.firstTokenAt ??= now;
        result.lastTokenAt = now;
      } else if (event.type === "done") {
        result.doneAt = now;
        result.messageId = event.messageId;
        if (event.status !== "complete") result.error = `status ${event.status}`;
        settle(result);
      } else if (event.type === "error") {
        result.error = `${event.code}: ${event.message}`;
        settle(result);
      }
    },
    fail(error: unknown) {
      result.error ??= error instanceof Error ? error.message : String(error);
      settle(result);
    },
    end() {
      result.error ??= "stream ended without done";
      settle(result);
    },
  };
}

function createFetchChatClient(apiUrl: string): ChatClient {
  const headers = { origin: BENCH_ORIGIN, "content-type": "application/json" };
  return {
    async startSession() {
      const res = await fetch(`${apiUrl}/trpc/chat.startSession`, { method: "POST", headers, body: JSON.stringify({ siteKey: "demo" }) });
      const body = (await res.json()) as { result?: { data?: { sessionToken?: string } }; error?: { message?: string } };
      const token = body.result?.data?.sessionToken;
      if (!token) throw new Error(`startSession failed (${res.status}): ${body.error?.message ?? "no token"}`);
      return token;
    },
    async send(sessionToken, clientMessageId, text, flags) {
      const startedAt = performance.now();
      const tracker = createTracker(startedAt);
      try {
        const res = await fetch(`${apiUrl}/trpc/chat.send?batch=1`, {
          method: "POST",
          headers: { ...headers, "trpc-accept": "application/jsonl", "x-leadline-flags": flags },
          body: JSON.stringify({ 0: { sessionToken, clientMessageId, text } }),
          signal: AbortSignal.timeout(MESSAGE_TIMEOUT_MS),
        });
        tracker.result.headersAt = performance.now();
        if (!res.body) throw new Error(`HTTP ${res.status} without a body`);
        void readSendStream(readJsonLines(res.body), tracker.onEvent).then(tracker.end, tracker.fail);
      } catch (error) {
        tracker.fail(error);
      }
      return tracker.settled;
    },
  };
}

function createTrpcChatClient(apiUrl: string): ChatClient {
  const url = `${apiUrl}/trpc`;
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.path === "chat.send",
        // One op per request: each carries its own variant's header.
        true: httpBatchStreamLink({
          url,
          maxItems: 1,
          headers: ({ opList }) => ({ origin: BENCH_ORIGIN, "x-leadline-flags": String(opList[0]?.context.flags ?? "on") }),
        }),
        false: httpLink({ url, headers: { origin: BENCH_ORIGIN } }),
      }),
    ],
  });
  return {
    async startSession() {
      return (await client.chat.startSession.mutate({ siteKey: "demo" })).sessionToken;
    },
    async send(sessionToken, clientMessageId, text, flags) {
      const startedAt = performance.now();
      const tracker = createTracker(startedAt);
      try {
        const stream = await client.chat.send.mutate({ sessionToken, clientMessageId, text }, { context: { flags }, signal: AbortSignal.timeout(MESSAGE_TIMEOUT_MS) });
        void (async () => {
          for await (const event of stream) tracker.onEvent(event);
        })().then(tracker.end, tracker.fail);
      } catch (error) {
        tracker.fail(error);
      }
      return tracker.settled;
    },
  };
}

export type DirectTurn = { role: "system" | "user" | "assistant"; content: string };

/** Variant D: the official SDK streaming from the simulator, as the server's LLM call would. */
export function createDirectClient(simulatorUrl: string, model = "gpt-4o-mini") {
  const openai = new OpenAI({ baseURL: simulatorUrl, apiKey: "bench", maxRetries: 0, timeout: MESSAGE_TIMEOUT_MS });
  return {
    async ask(messages: DirectTurn[]): Promise<MessageResult> {
      const result: MessageResult = { startedAt: performance.now(), firstTokenAt: null, lastTokenAt: null, doneAt: null, messageId: null, error: null };
      try {
        const stream = await openai.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true }, max_completion_tokens: 400 });
        result.headersAt = performance.now();
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta.content) {
            const now = performance.now();
            result.firstTokenAt ??= now;
            result.lastTokenAt = now;
          }
        }
        result.doneAt = performance.now();
      } catch (error) {
        result.error = error instanceof Error ? error.message : String(error);
      }
      return result;
    },
  };
}

/**
 * Opens `count` kept-alive connections to the server (concurrent requests each
 * need one) before the load starts, as a widget has its page's connections
 * open before a visitor's message: two per virtual user, as a user's next
 * message goes out while the last answer's stream is still closing. Without
 * this the first minute measures connection set-up: under load Node accepts
 * about one new connection per turn of its event loop (seen with strace: one
 * accept4 per turn, ~100 ms apart at the goal point), so a hundred users'
 * second connections waited seconds in the accept queue. The server keeps
 * connections alive for 65 s and says so, so the client keeps them too.
 */
export async function openConnections(apiUrl: string, count: number) {
  await Promise.all(Array.from({ length: count }, () => fetch(`${apiUrl}/healthz`).then((r) => r.arrayBuffer())));
}
