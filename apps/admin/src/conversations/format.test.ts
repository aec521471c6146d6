import { describe, expect, it } from "vitest";

import type { ConversationMessage } from "../api/types";
import { answerFacts, describeStatus, orderStages, roleLabel, shortId } from "./format";

type Answer = Pick<ConversationMessage, "model" | "usage" | "cost" | "timing">;

const answer: Answer = {
  model: "gpt-4o-mini",
  usage: { promptTokens: 1200, cachedPromptTokens: 1024, completionTokens: 85, estimated: false },
  cost: { model: "gpt-4o-mini", priced: true, usd: 0.000231, inputTokens: 1200, cachedInputTokens: 1024, outputTokens: 85 },
  timing: {
    timeToFirstTokenMs: 412.4,
    totalMs: 1530,
    llmMs: 1480,
    criticalPostMs: 12.2,
    complexity: "moderate",
    outcome: "complete",
    stages: [],
  },
};

describe("a message", () => {
  it("names who wrote it", () => {
    expect(roleLabel("user")).toBe("Visitor");
    expect(roleLabel("assistant")).toBe("Assistant");
  });

  it("only words an unusual status", () => {
    expect(describeStatus({ status: "complete", errorCode: null })).toBeNull();
    expect(describeStatus({ status: "partial", errorCode: "client_aborted" })).toBe("Partial: the answer was cut off (client_aborted)");
    expect(describeStatus({ status: "failed", errorCode: null })).toBe("Failed");
  });

  it("shortens a session id", () => {
    expect(shortId("3f2a9c1d-0000-4000-8000-000000000000")).toBe("3f2a9c1d");
  });
});

describe("an answer's timings", () => {
  it("lists where the time and money went", () => {
    expect(answerFacts(answer)).toEqual([
      { label: "First token", value: "412 ms" },
      { label: "Total", value: "1.53 s" },
      { label: "Model call", value: "1.48 s" },
      { label: "Critical post-processing", value: "12 ms" },
      { label: "Complexity", value: "moderate" },
      { label: "Model", value: "gpt-4o-mini" },
      { label: "Cost", value: "$0.000231" },
      { label: "Tokens", value: "1,200 in, 1,024 cached, 85 out" },
    ]);
  });

  it("leaves out what was not recorded, and says when a model had no price", () => {
    const bare: Answer = { model: "local-model", usage: null, timing: null, cost: { ...answer.cost!, model: "local-model", priced: false, usd: null } };
    expect(answerFacts(bare)).toEqual([
      { label: "Model", value: "local-model" },
      { label: "Cost", value: "not priced" },
    ]);
  });

  it("puts the stages the visitor waited for first, slowest first", () => {
    const stages = [
      { name: "audit", mode: "background" as const, ms: 0, ok: true },
      { name: "extract-entities", mode: "inline" as const, ms: 3, ok: true },
      { name: "qualify-lead", mode: "parallel" as const, ms: 9, ok: false },
    ];
    expect(orderStages(stages).map((s) => s.name)).toEqual(["qualify-lead", "extract-entities", "audit"]);
  });
});
