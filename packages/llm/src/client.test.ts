import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { createLlmClient, estimateTokens, type ChatMessage, type LlmClientOptions, type LlmEvent } from "./client";
import { startSimulator, type Simulator, type SimulatorProfile } from "./simulator/index";
import { collect, waitFor } from "./test-support";

const FAST: SimulatorProfile = { firstTokenMs: 20, msPerToken: 5 };
const HELLO: ChatMessage[] = [
  { role: "system", content: "You qualify sales leads." },
  { role: "user", content: "Hello!" },
];

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, profile: FAST });
});
afterAll(() => sim.close());
afterEach(async () => {
  sim.clearFault();
  sim.setProfile({ ...FAST, replyTokens: undefined });
  // The simulator notices a closed connection a moment later; let it settle so counts stay per test.
  await waitFor(() => sim.stats().inFlight === 0);
});

function createClient(overrides: Partial<LlmClientOptions> = {}) {
  return createLlmClient({
    apiKey: "sk-test",
    baseURL: sim.url,
    model: "gpt-4o-mini",
    maxOutputTokens: 1_000,
    firstTokenTimeoutMs: 5_000,
    idleTimeoutMs: 5_000,
    maxRetries: 2,
    ...overrides,
  });
}

/** Requests the simulator saw while `run` ran. */
async function countRequests<T>(run: () => Promise<T>): Promise<{ result: T; requests: number }> {
  const before = sim.stats().requests;
  const result = await run();
  return { result, requests: sim.stats().requests - before };
}

describe("estimateTokens", () => {
  it("counts about four characters a token, at least one for any text", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("a")).toBe(1);
    expect(estimateTokens("a".repeat(400))).toBe(100);
  });
});

describe("createLlmClient", () => {
  it("streams a complete reply with the server's usage", async () => {
    const { tokens, end } = await collect(createClient().streamChat(HELLO));

    expect(tokens.length).toBeGreaterThan(5);
    expect(end.status).toBe("complete");
    expect(end.error).toBeUndefined();
    expect(end.text).toBe(tokens.join(""));
    expect(end.text).toContain("offline demo model");
    expect(end.model).toBe("gpt-4o-mini");
    expect(end.usage).toMatchObject({ estimated: false, cachedPromptTokens: 0 });
    expect(end.usage.promptTokens).toBeGreaterThan(0);
    expect(end.usage.completionTokens).toBe(estimateTokens(end.text));
    expect(end.timings.attempts).toBe(1);
    expect(end.timings.firstTokenMs).not.toBeNull();
    expect(end.timings.firstTokenMs!).toBeLessThanOrEqual(end.timings.totalMs);
  });

  it("reports cached prompt tokens for a long prompt", async () => {
    const long: ChatMessage[] = [{ role: "system", content: "Know the catalogue. ".repeat(600) }, ...HELLO.slice(1)];
    const { end } = await collect(createClient().streamChat(long));

    expect(end.usage.promptTokens).toBeGreaterThan(1024);
    expect(end.usage.cachedPromptTokens).toBeGreaterThan(0);
    expect(end.usage.cachedPromptTokens % 128).toBe(0);
    expect(end.usage.cachedPromptTokens).toBeLessThan(end.usage.promptTokens / 2);
  });

  it("retries a 500 before the first byte and fails with upstream_error when it persists", async () => {
    sim.setFault("error500");
    const { result, requests } = await countRequests(() => collect(createClient({ maxRetries: 2 }).streamChat(HELLO)));

    expect(requests).toBe(3);
    expect(result.tokens).toEqual([]);
    expect(result.end).toMatchObject({ status: "failed", text: "", error: { code: "upstream_error" } });
    expect(result.end.timings).toMatchObject({ attempts: 3, firstTokenMs: null });
    expect(result.end.usage.estimated).toBe(true);
  });

  it("succeeds on the retry when the 500 happens once", async () => {
    sim.setFault("error500", { count: 1 });
    const { result, requests } = await countRequests(() => collect(createClient().streamChat(HELLO)));

    expect(requests).toBe(2);
    expect(result.end.status).toBe("complete");
    expect(result.end.timings.attempts).toBe(2);
  });

  it("retries a 429 after its retry-after and fails with rate_limited when it persists", async () => {
    sim.setFault("error429");
    const { result, requests } = await countRequests(() => collect(createClient({ maxRetries: 1 }).streamChat(HELLO)));

    expect(requests).toBe(2);
    expect(result.end).toMatchObject({ status: "failed", error: { code: "rate_limited" } });
    // The simulator says retry-after: 1; timers never fire early, so this bound is safe.
    expect(result.end.timings.totalMs).toBeGreaterThanOrEqual(950);
  });

  it("succeeds on the retry when the 429 happens once", async () => {
    sim.setFault("error429", { count: 1 });
    const { result } = await countRequests(() => collect(createClient().streamChat(HELLO)));

    expect(result.end.status).toBe("complete");
    expect(result.end.timings.attempts).toBe(2);
  });

  it("does not retry a 400", async () => {
    const { result, requests } = await countRequests(() => collect(createClient().streamChat([])));

    expect(requests).toBe(1);
    expect(result.end).toMatchObject({ status: "failed", error: { code: "bad_request" } });
  });

  it("gives up on a server that never answers after the first-token timeout, closing each request", async () => {
    sim.setFault("hang");
    const abortedBefore = sim.stats().aborted;
    const client = createClient({ firstTokenTimeoutMs: 300, maxRetries: 1 });
    const { result, requests } = await countRequests(() => collect(client.streamChat(HELLO)));

    expect(requests).toBe(2);
    expect(result.end).toMatchObject({ status: "failed", text: "", error: { code: "timeout" } });
    expect(result.end.timings.attempts).toBe(2);
    // Two 300 ms deadlines and a 200 ms backoff; the bound only rules out waiting on the SDK's own 10-minute timeout.
    expect(result.end.timings.totalMs).toBeLessThan(10_000);
    await waitFor(() => sim.stats().aborted - abortedBefore === 2);
  });

  it("returns the partial text when the stream stalls after some tokens, and never retries it", async () => {
    sim.setFault({ stallAfterTokens: 3 });
    const abortedBefore = sim.stats().aborted;
    const client = createClient({ idleTimeoutMs: 1_000, maxRetries: 3 });
    const { result, requests } = await countRequests(() => collect(client.streamChat(HELLO)));

    expect(requests).toBe(1);
    // Three chunks, in up to three token events (chunks that arrive in one read are joined).
    expect(result.tokens.length).toBeGreaterThan(0);
    expect(result.tokens.length).toBeLessThanOrEqual(3);
    expect(result.end).toMatchObject({ status: "partial", text: result.tokens.join(""), error: { code: "timeout" } });
    expect(result.end.timings.attempts).toBe(1);
    expect(result.end.usage).toMatchObject({ estimated: true, completionTokens: estimateTokens(result.end.text) });
    expect(result.end.usage.promptTokens).toBeGreaterThan(0);
    await waitFor(() => sim.stats().aborted - abortedBefore === 1);
  });

  it("a consumer slower than the idle timeout is not an idle upstream: the answer completes", async () => {
    sim.setProfile({ msPerToken: 5, replyTokens: 20 });
    const client = createClient({ idleTimeoutMs: 300 });
    const tokens: string[] = [];
    let end: LlmEvent | undefined;
    for await (const event of client.streamChat(HELLO)) {
      if (event.type === "end") end = event;
      else {
        tokens.push(event.text);
        // Longer than the idle timeout, twice: the clock stands still while we are away.
        if (tokens.length <= 2) await new Promise((r) => setTimeout(r, 450));
      }
    }
    expect(end).toMatchObject({ type: "end", status: "complete", text: tokens.join("") });
    expect(tokens.length).toBeGreaterThan(2);
  });

  it("closes the upstream request when the caller aborts mid-stream", async () => {
    sim.setProfile({ msPerToken: 30, replyTokens: 200 });
    const abortedBefore = sim.stats().aborted;
    const controller = new AbortController();
    const events = createClient().streamChat(HELLO, { signal: controller.signal });
    const { tokens, end } = await collect(events, (count) => {
      if (count === 3) controller.abort();
    });

    expect(tokens).toHaveLength(3);
    expect(end).toMatchObject({ status: "partial", text: tokens.join(""), error: { code: "aborted" } });
    expect(end.usage.estimated).toBe(true);
    await waitFor(() => sim.stats().aborted - abortedBefore === 1);
  });

  it("ends as failed/aborted when the caller aborts before the first token", async () => {
    sim.setFault("hang");
    const abortedBefore = sim.stats().aborted;
    const controller = new AbortController();
    const events = createClient().streamChat(HELLO, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const { end } = await collect(events);

    expect(end).toMatchObject({ status: "failed", text: "", error: { code: "aborted" } });
    expect(end.timings.attempts).toBe(1);
    await waitFor(() => sim.stats().aborted - abortedBefore === 1);
  });

  it("closes the upstream request when the consumer stops reading", async () => {
    sim.setProfile({ msPerToken: 30, replyTokens: 200 });
    const abortedBefore = sim.stats().aborted;
    let received = 0;
    for await (const event of createClient().streamChat(HELLO)) {
      if (event.type === "token" && ++received === 2) break;
    }

    await waitFor(() => sim.stats().aborted - abortedBefore === 1 && sim.stats().inFlight === 0);
  });
});

describe("createLlmClient reading the stream", () => {
  /** A server that answers every request with `write`'s bytes; returns the client's base URL. */
  async function serveStream(write: (res: ServerResponse) => void) {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        write(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close: () => new Promise((r) => server.close(r)) };
  }
  const chunk = (body: object) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", ...body })}\n\n`;
  const delta = (content: string) => chunk({ choices: [{ index: 0, delta: { content }, finish_reason: null }] });

  it("joins the chunks that arrive in one read into one token event, and keeps every chunk's text", async () => {
    const server = await serveStream((res) => {
      res.write(delta("Hello") + delta(", wor"));
      setTimeout(() => {
        res.write(delta("ld!") + chunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }));
        res.end(`${chunk({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } })}data: [DONE]\n\n`);
      }, 50);
    });
    try {
      const { tokens, end } = await collect(createClient({ baseURL: server.url }).streamChat(HELLO));
      expect(tokens).toEqual(["Hello, wor", "ld!"]);
      expect(end).toMatchObject({ status: "complete", text: "Hello, world!", model: "m", usage: { promptTokens: 7, completionTokens: 3, estimated: false } });
    } finally {
      await server.close();
    }
  });

  it("an error the server sends inside the stream ends the answer as partial, with what came before it", async () => {
    const server = await serveStream((res) => {
      res.write(delta("Hel"));
      setTimeout(() => res.end(`data: ${JSON.stringify({ error: { message: "overloaded", type: "server_error" } })}\n\n`), 50);
    });
    try {
      const { tokens, end } = await collect(createClient({ baseURL: server.url }).streamChat(HELLO));
      expect(tokens).toEqual(["Hel"]);
      expect(end).toMatchObject({ status: "partial", text: "Hel", error: { code: "upstream_error", message: expect.stringContaining("overloaded") } });
    } finally {
      await server.close();
    }
  });

  it("a stream that ends before the model finished is an upstream error", async () => {
    const server = await serveStream((res) => res.end(delta("Hel")));
    try {
      const { end } = await collect(createClient({ baseURL: server.url, maxRetries: 0 }).streamChat(HELLO));
      expect(end).toMatchObject({ status: "partial", text: "Hel", error: { code: "upstream_error", message: "the stream ended before the model finished" } });
    } finally {
      await server.close();
    }
  });
});
