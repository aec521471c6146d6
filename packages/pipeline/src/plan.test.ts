import { baselineFlags, defaultFlags } from "@leadline/flags/definitions";
import { describe, expect, it } from "vitest";

import { planStages } from "./plan";
import { STAGES } from "./registry";

const names = (groups: { stage: { name: string }; mode: string }[][]) => groups.map((g) => g.map((p) => `${p.stage.name}:${p.mode}`));

describe("planStages", () => {
  it("every flag off: every stage, inline, one after another, in registry order (the plan's original flow)", () => {
    const plan = planStages(STAGES, baselineFlags(), "simple");
    expect(names(plan.inline)).toEqual(STAGES.map((s) => [`${s.name}:inline`]));
    expect(plan.background).toEqual([]);
    expect(plan.skipped).toEqual([]);
  });

  it("background on: every stage that allows it leaves the critical path", () => {
    const plan = planStages(STAGES, defaultFlags({ "pipeline.smart-router": false }), "complex");
    expect(plan.inline).toEqual([]);
    expect(plan.background.map((p) => p.stage.name)).toEqual(STAGES.map((s) => s.name));
  });

  it("parallel stages without background: independent stages share a group, dependents come after", () => {
    const plan = planStages(STAGES, defaultFlags({ "pipeline.background": false, "pipeline.smart-router": false }), "complex");
    expect(names(plan.inline)).toEqual([
      ["extract-entities:parallel", "calculate-cost:parallel", "record-analytics:parallel", "write-audit:parallel"],
      ["qualify-lead:inline"],
      ["score-in-detail:inline"],
      ["notify-webhooks:inline"],
    ]);
  });

  it("smart router: a greeting skips extraction and qualification; contact details get the full plan", () => {
    const simple = planStages(STAGES, defaultFlags(), "simple");
    expect(simple.skipped).toEqual(["extract-entities", "qualify-lead", "score-in-detail"]);
    const moderate = planStages(STAGES, defaultFlags(), "moderate");
    expect(moderate.skipped).toEqual(["extract-entities", "score-in-detail"]);
    expect(planStages(STAGES, defaultFlags(), "complex").skipped).toEqual([]);
  });

  it("a stage never goes to the background ahead of an inline stage it reads from", () => {
    const noBackgroundExtraction = STAGES.map((s) => (s.name === "extract-entities" ? { ...s, modes: ["inline", "parallel"] as const } : s));
    const plan = planStages(noBackgroundExtraction, defaultFlags({ "pipeline.smart-router": false }), "complex");
    const inline = plan.inline.flat().map((p) => p.stage.name);
    expect(inline).toEqual(["extract-entities", "qualify-lead", "score-in-detail", "notify-webhooks"]);
    expect(plan.background.map((p) => p.stage.name)).toEqual(["calculate-cost", "record-analytics", "write-audit"]);
  });
});
