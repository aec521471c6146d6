import OpenAI, { APIConnectionError, BadRequestError, InternalServerError, RateLimitError } from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { waitFor } from "../test-support";
import { startSimulator, type Simulator, type SimulatorProfile } from "./index";

const FAST: SimulatorProfile = { firstTokenMs: 20, msPerToken: 5 };

let sim: Simulator;
let openai: OpenAI;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, profile: FAST });
  openai = new OpenAI({ apiKey: "sk-anything", baseURL: sim.url, maxRetries: 0 });
});
afterAll(() => sim.close());
afterEach(async () => {
  sim.clearFault();
  sim.setProfile({ ...FAST, replyTokens: undefined });
  await waitFor(() => sim.stats().inFlight === 0);
});

const hello = [{ role: "user" as const, content: "Hello!" }];

describe("the simulator, driven by the official SDK", () => {
  it("streams chunks over time, then usage, then [DONE]", async () => {
    const msPerToken = 20;
    sim.setProfile({ firstTokenMs: 50, msPerToken });
    const stream = await openai.chat.completions.create({
      model: "gpt-4.1-mini",
      messages: hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: Array<{ at: number; chunk: OpenAI.ChatCompletionChunk }> = [];
    for await (const chunk of stream) chunks.push({ at: performance.now(), chunk });

    const first = chunks[0]?.chunk;
    expect(first?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.every(({ chunk }) => chunk.model === "gpt-4.1-mini" && chunk.object === "chat.completion.chunk")).toBe(true);

    const content = chunks.filter(({ chunk }) => chunk.choices[0]?.delta.content);
    expect(content.length).toBeGreaterThan(10);
    // Sent one per msPerToken: even a busy machine can only spread them further apart.
    const spread = content.at(-1)!.at - content[0]!.at;
    expect(spread).toBeGreaterThan((content.length - 1) * msPerToken * 0.5);

    const finish = chunks.at(-2)?.chunk;
    expect(finish?.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    const last = chunks.at(-1)?.chunk;
    expect(last?.choices).toEqual([]);
    const text = content.map(({ chunk }) => chunk.choices[0]?.delta.content).join("");
    expect(last?.usage).toMatchObject({
      completion_tokens: Math.round(text.length / 4),
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect(last?.usage?.total_tokens).toBe(last!.usage!.prompt_tokens + last!.usage!.completion_tokens);
  });

  it("leaves usage out of the stream unless asked", async () => {
    const stream = await openai.chat.completions.create({ model: "gpt-4o", messages: hello, stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.some((c) => c.usage)).toBe(false);
  });

  it("answers without streaming", async () => {
    const completion = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello });

    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("gpt-4o-mini");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.choices[0]?.message).toMatchObject({ role: "assistant" });
    expect(completion.choices[0]?.message.content).toMatch(/name/);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("stops at max_completion_tokens with finish_reason length", async () => {
    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: hello,
      max_completion_tokens: 5,
    });

    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(5);
  });

  it("pads replies to the profile's replyTokens", async () => {
    sim.setProfile({ replyTokens: 180 });
    const completion = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello });

    expect(completion.usage?.completion_tokens).toBeGreaterThanOrEqual(170);
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(190);
    expect(completion.choices[0]?.message.content).toMatch(/may I have your name\?/);
  });

  it("reports a cached share of long prompts in steps of 128", async () => {
    const long = [{ role: "system" as const, content: "Our catalogue. ".repeat(800) }, ...hello];
    const { usage } = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: long });
    const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;

    expect(cached).toBeGreaterThan(0);
    expect(cached % 128).toBe(0);
    expect(cached).toBeLessThan(usage!.prompt_tokens / 2);
  });

  it("lists models", async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);

    expect(ids).toEqual(expect.arrayContaining(["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini"]));
  });

  it("rejects a bad body with OpenAI's error shape", async () => {
    const error = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: [] }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).error).toMatchObject({ type: "invalid_request_error", param: "messages" });
  });

  it("rejects a request without an API key", async () => {
    const res = await fetch(`${sim.url}/models`);

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { type: "invalid_request_error" } });
  });
});

describe("the sales script", () => {
  async function say(history: OpenAI.ChatCompletionMessageParam[], text: string): Promise<string> {
    history.push({ role: "user", content: text });
    const completion = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: history });
    const reply = completion.choices[0]?.message.content ?? "";
    history.push({ role: "assistant", content: reply });
    return reply;
  }

  it("asks for name, email, company, budget and timeline in turn, acknowledging each answer", async () => {
    const history: OpenAI.ChatCompletionMessageParam[] = [{ role: "system", content: "Qualify the lead." }];
    const replies = [
      await say(history, "Hi there"),
      await say(history, "I'm Jane"),
      await say(history, "sure, it's jane.doe@acme.io"),
      await say(history, "Acme Robotics"),
      await say(history, "our budget is about $20k"),
      await say(history, "we'd like to start next month"),
    ];

    expect(replies[0]).toMatch(/^Hi there!.*your name\?/);
    expect(replies[1]).toMatch(/Jane!.*email/);
    expect(replies[2]).toMatch(/jane\.doe@acme\.io.*company/);
    expect(replies[3]).toMatch(/Acme Robotics.*budget/);
    expect(replies[4]).toMatch(/\$20k.*get started\?/);
    expect(replies[5]).toMatch(/Thank you, Jane!.*teammate will follow up at jane\.doe@acme\.io/);
    for (const reply of replies) expect(reply.match(/Leadline's offline demo model/g)).toHaveLength(1);
  });

  it("takes several facts from one message", async () => {
    const reply = await say([], "Hello, my name is Sam Lee from Initech, sam@initech.com");

    expect(reply).toMatch(/Sam Lee.*sam@initech\.com.*Initech.*budget/);
  });
});

describe("faults", () => {
  const control = () => `${new URL(sim.url).origin}/_sim/fault`;

  it("are set and cleared over HTTP, for a number of requests", async () => {
    const set = await fetch(control(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fault: "error500", count: 1 }),
    });
    expect(set.status).toBe(200);

    await expect(openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    await expect(openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello })).resolves.toBeDefined();

    await fetch(control(), { method: "POST", body: JSON.stringify({ fault: "error500" }) });
    await fetch(control(), { method: "DELETE" });
    await expect(openai.chat.completions.create({ model: "gpt-4o-mini", messages: hello })).resolves.toBeDefined();
  });

  it("rejects an unknown fault", async () => {
    const res = await fetch(control(), { method: "POST", body: JSON.stringify({ fault: "meltdown" }) });

    expect(res.status).toBe(400);
  });

  it("are taken from the x-sim-fault header, by name or as JSON", async () => {
    const error = await openai.chat.completions
      .create({ model: "gpt-4o-mini", messages: hello }, { headers: { "x-sim-fault": "error429" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers.get("retry-after")).toBe("1");

    const stream = await openai.chat.completions.create(
      { model: "gpt-4o-mini", messages: hello, stream: true },
      { headers: { "x-sim-fault": JSON.stringify({ stallAfterTokens: 2 }) } },
    );
    const received: string[] = [];
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content;
      if (text) received.push(text);
      if (received.length === 2) break;
    }
    expect(received).toHaveLength(2);
  });

  it("count a client that hangs up as aborted and stop sending to it", async () => {
    sim.setProfile({ msPerToken: 30, replyTokens: 200 });
    const before = sim.stats();
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: "gpt-4o-mini", messages: hello, stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && ++received === 2) controller.abort();
    }

    await waitFor(() => sim.stats().aborted === before.aborted + 1);
    expect(sim.stats()).toMatchObject({ requests: before.requests + 1, completed: before.completed, inFlight: 0 });
  });

  it("close() ends hanging requests too", async () => {
    const other = await startSimulator({ port: 0 });
    other.setFault("hang");
    const client = new OpenAI({ apiKey: "sk-anything", baseURL: other.url, maxRetries: 0 });
    const pending = client.chat.completions.create({ model: "gpt-4o-mini", messages: hello }).catch((e: unknown) => e);
    await waitFor(() => other.stats().inFlight === 1);

    await other.close();
    expect(await pending).toBeInstanceOf(APIConnectionError);
    await waitFor(() => other.stats().aborted === 1 && other.stats().inFlight === 0);
  });
});
