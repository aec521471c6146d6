import OpenAI, { BadRequestError, InternalServerError } from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

import { waitFor } from "../test-support";
import { startSimulator, type Simulator, type SimulatorProfile } from "./index";

const FAST: SimulatorProfile = { firstTokenMs: 20, msPerToken: 1 };

let sim: Simulator;
let openai: OpenAI;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, profile: FAST });
  openai = new OpenAI({ apiKey: "sk-anything", baseURL: sim.url, maxRetries: 0 });
});
afterAll(() => sim.close());
afterEach(async () => {
  sim.clearFault();
  sim.setProfile(FAST);
  await waitFor(() => sim.stats().inFlight === 0);
});

const conversation: OpenAI.ChatCompletionMessageParam[] = [
  { role: "system", content: "Extract the lead's details." },
  { role: "user", content: "Hello, my name is Sam Lee from Initech, sam@initech.com" },
  { role: "assistant", content: "Thanks! Roughly what budget do you have in mind?" },
  { role: "user", content: "around 50k, within 6 weeks" },
];

// Written by hand, as another client would send it: nullable by type list and by anyOf, an enum, a nested object.
const leadJsonSchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    email: { type: "string" },
    company: { type: ["string", "null"] },
    jobTitle: { anyOf: [{ type: "string" }, { type: "null" }] },
    budget: { type: "number" },
    timeline: { type: "string" },
    stage: { type: "string", enum: ["new", "qualified", "disqualified"] },
    consent: { type: "boolean" },
    address: {
      type: "object",
      properties: { city: { type: ["string", "null"] }, country: { type: "string" } },
      required: ["city", "country"],
      additionalProperties: false,
    },
    tags: { type: "array", items: { type: "string" } },
  },
  required: ["name", "email", "company", "jobTitle", "budget", "timeline", "stage", "consent", "address", "tags"],
  additionalProperties: false,
};

const leadZod = z.strictObject({
  name: z.string(),
  email: z.string(),
  company: z.string().nullable(),
  jobTitle: z.string().nullable(),
  budget: z.number(),
  timeline: z.string(),
  stage: z.enum(["new", "qualified", "disqualified"]),
  consent: z.boolean(),
  address: z.strictObject({ city: z.string().nullable(), country: z.string() }),
  tags: z.array(z.string()),
});

describe("structured outputs, driven by the official SDK", () => {
  it("answers a json_schema request with JSON that satisfies the schema, from the conversation", async () => {
    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: conversation,
      response_format: { type: "json_schema", json_schema: { name: "lead", strict: true, schema: leadJsonSchema } },
    });

    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.choices[0]?.message.refusal).toBeNull();
    const value = leadZod.parse(JSON.parse(completion.choices[0]?.message.content ?? ""));
    expect(value).toEqual({
      name: "Sam Lee",
      email: "sam@initech.com",
      company: "Initech",
      jobTitle: null,
      budget: 50_000,
      timeline: "within 6 weeks",
      stage: "new",
      consent: false,
      address: { city: null, country: "" },
      tags: [],
    });
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("works with the SDK's parse() and zodResponseFormat", async () => {
    const schema = z.object({ name: z.string().nullable(), email: z.string().nullable(), teamSize: z.number().nullable() });
    const completion = await openai.chat.completions.parse({
      model: "gpt-4o-mini",
      messages: conversation,
      response_format: zodResponseFormat(schema, "contact"),
    });

    expect(completion.choices[0]?.message.parsed).toEqual({ name: "Sam Lee", email: "sam@initech.com", teamSize: null });
  });

  it("follows $ref into $defs and leaves out optional properties it knows nothing about", async () => {
    const schema = {
      type: "object",
      properties: { contact: { $ref: "#/$defs/contact" }, note: { type: "string" } },
      required: ["contact"],
      $defs: {
        contact: {
          type: "object",
          properties: { email: { type: "string" }, phone: { type: "string" } },
          required: ["email"],
        },
      },
    };
    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: conversation,
      response_format: { type: "json_schema", json_schema: { name: "nested", schema } },
    });

    expect(JSON.parse(completion.choices[0]?.message.content ?? "")).toEqual({ contact: { email: "sam@initech.com" } });
  });

  it("answers json_object with the facts it found", async () => {
    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "system", content: "Reply in JSON." }, ...conversation.slice(1)],
      response_format: { type: "json_object" },
    });

    expect(JSON.parse(completion.choices[0]?.message.content ?? "")).toEqual({
      name: "Sam Lee",
      email: "sam@initech.com",
      company: "Initech",
      budget: "50k",
      timeline: "within 6 weeks",
    });
  });

  it("streams the JSON in pieces that join into the whole", async () => {
    const stream = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: conversation,
      stream: true,
      response_format: { type: "json_schema", json_schema: { name: "lead", strict: true, schema: leadJsonSchema } },
    });
    const pieces: string[] = [];
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content;
      if (text) pieces.push(text);
    }

    expect(pieces.length).toBeGreaterThan(10);
    expect(leadZod.safeParse(JSON.parse(pieces.join(""))).success).toBe(true);
  });

  it("cuts the JSON short at max_completion_tokens with finish_reason length", async () => {
    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: conversation,
      max_completion_tokens: 5,
      response_format: { type: "json_schema", json_schema: { name: "lead", strict: true, schema: leadJsonSchema } },
    });

    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(() => JSON.parse(completion.choices[0]?.message.content ?? "")).toThrow();
  });

  it("applies faults to structured requests too", async () => {
    const request = openai.chat.completions.create(
      {
        model: "gpt-4o-mini",
        messages: conversation,
        response_format: { type: "json_schema", json_schema: { name: "lead", strict: true, schema: leadJsonSchema } },
      },
      { headers: { "x-sim-fault": "error500" } },
    );

    await expect(request).rejects.toBeInstanceOf(InternalServerError);
  });
});

describe("structured output requests OpenAI would refuse", () => {
  async function sendFormat(format: unknown, messages = conversation): Promise<unknown> {
    const body = { model: "gpt-4o-mini", messages, response_format: format } as OpenAI.ChatCompletionCreateParamsNonStreaming;
    return openai.chat.completions.create(body).catch((error: unknown) => error);
  }

  it("rejects a strict schema that leaves a property out of required", async () => {
    const schema = { ...leadJsonSchema, required: leadJsonSchema.required.filter((key) => key !== "budget") };
    const error = await sendFormat({ type: "json_schema", json_schema: { name: "lead", strict: true, schema } });

    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).error).toMatchObject({ param: "response_format", type: "invalid_request_error" });
    expect((error as BadRequestError).message).toMatch(/Invalid schema for response_format 'lead': In context=\(\), 'required'.*Missing 'budget'/);
  });

  it("rejects a strict schema whose nested object allows other properties", async () => {
    const { additionalProperties: _, ...address } = leadJsonSchema.properties.address;
    const schema = { ...leadJsonSchema, properties: { ...leadJsonSchema.properties, address } };
    const error = await sendFormat({ type: "json_schema", json_schema: { name: "lead", strict: true, schema } });

    expect((error as BadRequestError).message).toMatch(/context=\('properties', 'address'\), 'additionalProperties'/);
  });

  it("rejects a bad schema name and an unknown format type", async () => {
    const badName = await sendFormat({ type: "json_schema", json_schema: { name: "lead score", schema: leadJsonSchema } });
    const badType = await sendFormat({ type: "xml" });

    expect((badName as BadRequestError).error).toMatchObject({ param: "response_format.json_schema.name" });
    expect(badType).toBeInstanceOf(BadRequestError);
  });

  it("rejects json_object when no message mentions JSON", async () => {
    const error = await sendFormat({ type: "json_object" });

    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).error).toMatchObject({ param: "messages" });
  });
});
