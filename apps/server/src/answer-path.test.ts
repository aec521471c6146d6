/**
 * The shape of the visitor's path, observed on the real driver and model
 * client (not timed): what reaches the database between a send's arrival
 * and the model call, and between the model's last token and `done`.
 */
import { verifySessionToken } from "@leadline/api/session-token";
import { chatMessages } from "@leadline/db/schema";
import { defaultFlags } from "@leadline/flags/definitions";
import type { ChatMessage, LlmEvent, StreamChatOptions } from "@leadline/llm/client";
import type { SendEvent } from "@leadline/validators/chat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestStack, type TestStack } from "./testing";

let stack: TestStack;
/** Statements the API process sent (postgres.js's debug hook) and the model calls it made, in order. */
let log: string[] = [];
const modelCalls: { signal: AbortSignal | undefined }[] = [];

beforeAll(async () => {
  // The worker runs in a thread with its own connections, so the log holds the request thread's statements;
  // enhancement off, so nothing reads the database between the reply's save and `done`.
  stack = await startTestStack({ workerThread: true, flags: defaultFlags({ "pipeline.enhancement": false }) });
  (stack.services.sql.options as { debug?: unknown }).debug = (_connection: number, query: string) => log.push(`sql: ${query.replace(/\s+/g, " ").trim()}`);
  const client = stack.services.pipeline.llm.client;
  const streamChat = client.streamChat.bind(client);
  client.streamChat = (messages: ChatMessage[], opts?: StreamChatOptions) => {
    log.push("model: call");
    modelCalls.push({ signal: opts?.signal });
    return (async function* () {
      for await (const event of streamChat(messages, opts)) {
        if (event.type === "end") log.push("model: end");
        yield event as LlmEvent;
      }
    })();
  };
});
afterAll(() => stack?.stop());

let counter = 0;
const newId = () => `shape-${Date.now().toString(36)}-${(counter += 1)}`;

async function send(token: string, text: string, clientMessageId = newId()) {
  const stream = await stack.client().chat.send.mutate({ sessionToken: token, clientMessageId, text });
  const events: SendEvent[] = [];
  for await (const event of stream) {
    if (event.type === "done") log.push("client: done");
    events.push(event);
  }
  return events;
}

/** Statements of the visitor's path: not the timers that write request timings, refusal counts and settled spend every second or so. */
const pathStatements = (entries: string[]) => entries.filter((e) => e.startsWith("sql:") && !/request_timings|refusal_counts|update "site_spend"/.test(e));

describe("the answer path's round trips", () => {
  let token: string;
  beforeAll(async () => {
    token = (await stack.client().chat.startSession.mutate({ siteKey: "demo" })).sessionToken;
    await send(token, "Hello, what do you offer?"); // warms the site's config, limits, budget lease and rates
  });

  it("a warm send issues no database statement before the model call starts", async () => {
    log = [];
    const events = await send(token, "How much is it for 20 seats?");
    expect(events.at(-1)).toMatchObject({ type: "done" });
    const beforeModel = log.slice(0, log.indexOf("model: call"));
    expect(log).toContain("model: call");
    expect(pathStatements(beforeModel)).toEqual([]);
    // The user message was stored meanwhile, in one statement.
    expect(pathStatements(log).filter((s) => /insert into chat_messages .*'user'/.test(s))).toHaveLength(1);
  });

  it("the first message of a new session is warm too: its state is written when the session starts", async () => {
    const fresh = (await stack.client().chat.startSession.mutate({ siteKey: "demo" })).sessionToken;
    log = [];
    await send(fresh, "Hi there");
    const beforeModel = log.slice(0, log.indexOf("model: call"));
    expect(pathStatements(beforeModel)).toEqual([]);
  });

  it("after the model's last token, one statement commits the reply and its events before done", async () => {
    log = [];
    await send(token, "Can we start in March?");
    const afterModel = log.slice(log.indexOf("model: end"), log.indexOf("client: done"));
    const statements = pathStatements(afterModel);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/insert into chat_messages .*insert into outbox_events/);
  });

  it("a clientMessageId already answered elsewhere stops the model call before any token, and the stored answer is replayed", async () => {
    // Another instance stored and answered it; this one's cache has not heard of it.
    const clientMessageId = newId();
    const question = "Do you integrate with Salesforce?";
    const claims = verifySessionToken(token, stack.services.config.sessionSecret);
    const [user] = await stack.services.db
      .insert(chatMessages)
      .values({ organizationId: claims.organizationId, sessionId: claims.sessionId, role: "user", content: question, clientMessageId })
      .returning();
    await stack.services.db
      .insert(chatMessages)
      .values({ organizationId: user!.organizationId, sessionId: user!.sessionId, role: "assistant", content: "Yes, natively (stored answer).", replyToId: user!.id });

    const calls = modelCalls.length;
    const events = await send(token, question, clientMessageId);
    expect(modelCalls.length).toBe(calls + 1); // started before the insert said the id was taken…
    expect(modelCalls.at(-1)!.signal?.aborted).toBe(true); // …and stopped
    expect(events[0]).toMatchObject({ type: "ack", replay: true, userMessageId: user!.id });
    const text = events.filter((e) => e.type === "token").map((e) => (e as { text: string }).text).join("");
    expect(text).toBe("Yes, natively (stored answer).");
    expect(events.at(-1)).toMatchObject({ type: "done", text: "Yes, natively (stored answer)." });
  });
});
