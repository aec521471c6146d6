import { describe, expect, it } from "vitest";

import { fillSchema } from "./fill-schema";
import { findFactFor, gatherLeadFacts, readAmount, type LeadFacts } from "./lead-facts";

const facts: LeadFacts = { name: "Jane Doe", email: "jane@acme.io", budget: "$20k", timeline: "Q3", teamSize: "40" };
const lookup = (property: string) => findFactFor(property, facts);

function fillObject(properties: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return fillSchema({ type: "object", properties, required: Object.keys(properties), ...extra }, lookup);
}

describe("fillSchema", () => {
  it("keeps numbers within their bounds and integers whole", () => {
    expect(
      fillObject({
        score: { type: "integer", minimum: 1, maximum: 10 },
        ratio: { type: "number", exclusiveMinimum: 0 },
        budget: { type: "integer", maximum: 5_000 },
        teamSize: { type: "integer" },
      }),
    ).toEqual({ score: 1, ratio: 1, budget: 5_000, teamSize: 40 });
  });

  it("gives arrays their minItems and a fact as the single item", () => {
    expect(
      fillObject({
        emails: { type: "array", items: { type: "string" } },
        phones: { type: "array", items: { type: ["string", "null"] }, minItems: 2 },
      }),
    ).toEqual({ emails: ["jane@acme.io"], phones: [null, null] });
  });

  it("picks an enum value matching the fact, else the first, else null when allowed", () => {
    expect(
      fillObject({
        timeline: { type: "string", enum: ["Q1", "Q2", "Q3", "Q4"] },
        stage: { enum: ["new", "won"] },
        priority: { type: ["string", "null"], enum: ["high", "low", null] },
      }),
    ).toEqual({ timeline: "Q3", stage: "new", priority: null });
  });

  it("chooses the union member that can carry the fact", () => {
    expect(
      fillObject({
        budget: { anyOf: [{ type: "integer" }, { type: "string" }] },
        timeline: { type: ["number", "string"] },
        company: { anyOf: [{ type: "number" }, { type: "null" }] },
      }),
    ).toEqual({ budget: 20_000, timeline: "Q3", company: null });
  });

  it("reads OpenAPI's nullable, const and type-less properties", () => {
    expect(
      fillObject({
        company: { type: "string", nullable: true },
        kind: { const: "lead" },
        email: {},
        anything: {},
      }),
    ).toEqual({ company: null, kind: "lead", email: "jane@acme.io", anything: null });
  });

  it("ends a recursive schema instead of looping", () => {
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, parent: { anyOf: [{ $ref: "#" }, { type: "null" }] } },
      required: ["name", "parent"],
    };

    expect(fillSchema(schema, lookup)).toEqual({ name: "Jane Doe", parent: null });
  });

  it("ends recursion through $defs too", () => {
    const schema = {
      type: "object",
      properties: { root: { $ref: "#/$defs/person" } },
      required: ["root"],
      $defs: {
        person: {
          type: "object",
          properties: {
            name: { type: "string" },
            manager: { anyOf: [{ $ref: "#/$defs/person" }, { type: "null" }] },
            reports: { type: "array", items: { $ref: "#/$defs/person" } },
          },
          required: ["name", "manager", "reports"],
        },
      },
    };

    expect(fillSchema(schema, lookup)).toEqual({ root: { name: "Jane Doe", manager: null, reports: [] } });
  });

  it("follows refs whose names the SDK escaped", () => {
    const schema = {
      type: "object",
      properties: { who: { $ref: "#/definitions/Lead%20Contact" } },
      required: ["who"],
      definitions: { "Lead Contact": { type: "object", properties: { firstName: { type: "string" } }, required: ["firstName"] } },
    };

    expect(fillSchema(schema, lookup)).toEqual({ who: { firstName: "Jane" } });
  });
});

describe("findFactFor", () => {
  it.each([
    ["name", "Jane Doe"],
    ["full_name", "Jane Doe"],
    ["firstName", "Jane"],
    ["last_name", "Doe"],
    ["Email Address", "jane@acme.io"],
    ["workEmail", "jane@acme.io"],
    ["estimatedBudget", "$20k"],
    ["time_frame", "Q3"],
    ["headcount", "40"],
    ["phone", undefined],
    ["companyName", undefined],
  ])("maps %s", (property, expected) => {
    expect(findFactFor(property, facts)).toBe(expected);
  });
});

describe("readAmount", () => {
  it.each([
    ["$20k", 20_000],
    ["about 50K", 50_000],
    ["€1.5 million", 1_500_000],
    ["$12,500", 12_500],
    ["12", 12],
    ["not sure", undefined],
  ])("reads %s", (text, amount) => {
    expect(readAmount(text)).toBe(amount);
  });
});

describe("gatherLeadFacts", () => {
  it("adds job title, team size and need to the script's facts", () => {
    expect(
      gatherLeadFacts(["Hi, I'm Jane from Acme", "I'm the head of marketing, we're a team of 25 and need a chatbot for lead capture."]),
    ).toEqual({ name: "Jane", company: "Acme", jobTitle: "head of marketing", teamSize: "25", need: "chatbot for lead capture" });
  });

  it("does not take a duration for a team size", () => {
    expect(gatherLeadFacts(["we have 3 weeks"]).teamSize).toBeUndefined();
    expect(gatherLeadFacts(["We're 8 people, CTO here"])).toMatchObject({ teamSize: "8", jobTitle: "CTO" });
  });
});
