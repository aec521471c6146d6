import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

import type { ChatMessage } from "./client";
import { startSimulator, type Simulator, type SimulatorProfile } from "./simulator/index";
import { createStructuredExtractor, type StructuredExtractorOptions } from "./structured";
import { waitFor } from "./test-support";

const FAST: SimulatorProfile = { firstTokenMs: 20, msPerToken: 1 };

const CONVERSATION: ChatMessage[] = [
  { role: "system", content: "You qualify sales leads." },
  { role: "user", content: "Hi, I'm Jane Doe from Acme Robotics" },
  { role: "assistant", content: "Nice to meet you, Jane Doe! What's the best email address to reach you at?" },
  { role: "user", content: "jane@acme.io. Our budget is about $20k and we'd like to start next month." },
];

const leadSchema = z.object({
  name: z.string(),
  email: z.email(),
  company: z.string(),
  budget: z.string().nullable(),
  timeline: z.string().nullable(),
});

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, profile: FAST });
});
afterAll(() => sim.close());
afterEach(async () => {
  sim.clearFault();
  sim.setProfile(FAST);
  await waitFor(() => sim.stats().inFlight === 0);
});

function createExtractor(overrides: Partial<StructuredExtractorOptions> = {}) {
  return createStructuredExtractor({
    apiKey: "sk-test",
    baseURL: sim.url,
    model: "gpt-4o-mini",
    timeoutMs: 10_000,
    maxOutputTokens: 500,
    ...overrides,
  });
}

/** Requests the simulator saw while `run` ran. */
async function countRequests<T>(run: () => Promise<T>): Promise<{ result: T; requests: number }> {
  const before = sim.stats().requests;
  const result = await run();
  return { result, requests: sim.stats().requests - before };
}

describe("createStructuredExtractor", () => {
  it("returns a schema-valid object with what the visitor said, and the server's usage", async () => {
    const result = await createExtractor().extract(CONVERSATION, leadSchema, "lead");

    expect(result).toMatchObject({ ok: true, model: "gpt-4o-mini" });
    if (!result.ok) return;
    expect(result.value).toEqual({
      name: "Jane Doe",
      email: "jane@acme.io",
      company: "Acme Robotics",
      budget: "$20k",
      timeline: "next month",
    });
    expect(result.usage).toMatchObject({ estimated: false, cachedPromptTokens: 0 });
    expect(result.usage.promptTokens).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
  });

  it("gets null for what the visitor never said when the schema allows it", async () => {
    const schema = z.object({
      name: z.string().nullable(),
      email: z.string().nullable(),
      company: z.string().nullable(),
      jobTitle: z.string().nullable(),
      teamSize: z.number().int().nullable(),
      contact: z.object({ phone: z.string().nullable() }),
      needs: z.array(z.string()),
      tier: z.enum(["hot", "warm", "cold"]),
      isDecisionMaker: z.boolean(),
    });
    const result = await createExtractor().extract([{ role: "user", content: "Hello, my name is Sam Lee" }], schema, "lead");

    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.value).toEqual({
      name: "Sam Lee",
      email: null,
      company: null,
      jobTitle: null,
      teamSize: null,
      contact: { phone: null },
      needs: [],
      tier: "hot",
      isDecisionMaker: false,
    });
  });

  it("reads amounts into number fields", async () => {
    const schema = z.object({ budget: z.number(), teamSize: z.number().int() });
    const messages: ChatMessage[] = [{ role: "user", content: "We're a team of 12 with a budget of $1.5m" }];
    const result = await createExtractor().extract(messages, schema, "sizing");

    expect(result).toMatchObject({ ok: true, value: { budget: 1_500_000, teamSize: 12 } });
  });

  it("fails with upstream_error on a persistent 500, after the SDK's one retry", async () => {
    sim.setFault("error500");
    const { result, requests } = await countRequests(() => createExtractor().extract(CONVERSATION, leadSchema, "lead"));

    expect(result).toMatchObject({ ok: false, code: "upstream_error" });
    expect(requests).toBe(2);
  });

  it("succeeds when a 500 happens once", async () => {
    sim.setFault("error500", { count: 1 });
    const { result, requests } = await countRequests(() => createExtractor().extract(CONVERSATION, leadSchema, "lead"));

    expect(result.ok).toBe(true);
    expect(requests).toBe(2);
  });

  it("fails with rate_limited on a persistent 429", async () => {
    sim.setFault("error429");
    const { result, requests } = await countRequests(() => createExtractor().extract(CONVERSATION, leadSchema, "lead"));

    expect(result).toMatchObject({ ok: false, code: "rate_limited" });
    expect(requests).toBe(2);
  });

  it("times out on a server that never answers, and closes the request", async () => {
    sim.setFault("hang");
    const abortedBefore = sim.stats().aborted;
    const startedAt = performance.now();
    const { result, requests } = await countRequests(() =>
      createExtractor({ timeoutMs: 300 }).extract(CONVERSATION, leadSchema, "lead"),
    );

    expect(result).toMatchObject({ ok: false, code: "timeout" });
    expect(requests).toBe(1);
    // Only rules out waiting on the SDK's own 10-minute timeout.
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    await waitFor(() => sim.stats().aborted - abortedBefore === 1);
  });

  it("keeps the deadline while the SDK waits out a retry-after, and never sends the retry", async () => {
    sim.setFault("error429");
    const requestsBefore = sim.stats().requests;
    const startedAt = performance.now();
    const result = await createExtractor({ timeoutMs: 100 }).extract(CONVERSATION, leadSchema, "lead");

    expect(result).toMatchObject({ ok: false, code: "timeout" });
    // The simulator asks for retry-after: 1; an SDK sleep we waited on could not end sooner.
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    // Once the SDK's sleep is over it finds the request aborted and sends nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(sim.stats().requests - requestsBefore).toBe(1);
  });

  it("ends as aborted when the caller aborts", async () => {
    sim.setFault("hang");
    const controller = new AbortController();
    const pending = createExtractor().extract(CONVERSATION, leadSchema, "lead", { signal: controller.signal });
    await waitFor(() => sim.stats().inFlight === 1);
    controller.abort();

    expect(await pending).toMatchObject({ ok: false, code: "aborted" });
  });

  it("sends nothing for a signal that is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const { result, requests } = await countRequests(() =>
      createExtractor().extract(CONVERSATION, leadSchema, "lead", { signal: controller.signal }),
    );

    expect(result).toMatchObject({ ok: false, code: "aborted" });
    expect(requests).toBe(0);
  });

  it("reports output that fails the zod schema as invalid_output", async () => {
    // JSON Schema's pattern for z.email() is not something the simulator honours: it answers "" for an unknown email.
    const result = await createExtractor().extract([{ role: "user", content: "Hello!" }], z.object({ email: z.email() }), "contact");

    expect(result).toMatchObject({ ok: false, code: "invalid_output" });
    if (!result.ok) expect(result.message).toMatch(/email/);
  });

  it("reports output cut off at maxOutputTokens as invalid_output", async () => {
    const result = await createExtractor({ maxOutputTokens: 5 }).extract(CONVERSATION, leadSchema, "lead");

    expect(result).toMatchObject({ ok: false, code: "invalid_output" });
    if (!result.ok) expect(result.message).toMatch(/cut off at 5 tokens/);
  });

  it("rejects a schema structured outputs cannot express without sending anything", async () => {
    const schema = z.object({ name: z.string().optional() });
    const { result, requests } = await countRequests(() => createExtractor().extract(CONVERSATION, schema, "lead"));

    expect(result).toMatchObject({ ok: false, code: "bad_request" });
    expect(requests).toBe(0);
  });

  it("passes on the server's 400 for a schema name OpenAI would refuse", async () => {
    const result = await createExtractor().extract(CONVERSATION, leadSchema, "lead score");

    expect(result).toMatchObject({ ok: false, code: "bad_request" });
    if (!result.ok) expect(result.message).toMatch(/response_format\.json_schema\.name/);
  });

  it("sends each call's own schema name, also for a schema it has sent before", async () => {
    const extractor = createExtractor();

    expect(await extractor.extract(CONVERSATION, leadSchema, "lead")).toMatchObject({ ok: true });
    expect(await extractor.extract(CONVERSATION, leadSchema, "lead score")).toMatchObject({ ok: false, code: "bad_request" });
    expect(await extractor.extract(CONVERSATION, leadSchema, "lead")).toMatchObject({ ok: true });
  });
});
