import { describe, expect, it } from "vitest";

import { runStage } from "./runner";
import type { StageContext } from "./stage";
import { testStage } from "./testing";

/** A stage that takes `ms`, with a budget of 50 ms. */
const slowStage = (ms: number) => testStage({ name: "slow", timeoutMs: 50, run: () => new Promise((r) => setTimeout(r, ms)) });
const ctx = { log: { warn() {} }, facts: { reply: { id: "m1" } } } as unknown as Omit<StageContext, "signal">;

describe("runStage budgets", () => {
  it("a visitor's wait is bounded by the stage's budget", async () => {
    const span = await runStage({ stage: slowStage(200), mode: "inline" }, ctx, performance.now());
    expect(span).toMatchObject({ ok: false, error: "slow exceeded its 50 ms budget" });
  });

  it("in the background a slow stage finishes (ten times the budget), a hung one is still stopped", async () => {
    expect(await runStage({ stage: slowStage(200), mode: "background" }, ctx, performance.now())).toMatchObject({ ok: true });
    expect(await runStage({ stage: slowStage(5_000), mode: "background" }, ctx, performance.now())).toMatchObject({ ok: false, error: "slow exceeded its 500 ms budget" });
  });
});
