import type { PlannedStage } from "./plan";
import type { StageContext, StageMode } from "./stage";

/** When a stage ran, relative to the message's start (performance.now()), and how it ended. */
export type StageSpan = { name: string; mode: StageMode; startMs: number; endMs: number; ms: number; ok: boolean; error?: string };

export type RunContext = Omit<StageContext, "signal">;

/** Runs inline groups in order, each group's stages together; never throws (failures are spans with ok: false). */
export async function runInlineGroups(groups: PlannedStage[][], ctx: RunContext, origin: number): Promise<StageSpan[]> {
  const spans: StageSpan[] = [];
  for (const group of groups) {
    spans.push(...(await Promise.all(group.map((planned) => runStage(planned, ctx, origin)))));
  }
  return spans;
}

/**
 * A stage's budget protects a visitor's wait. In the background nobody waits:
 * the budget only has to catch a stage that hangs, so it is this many times
 * longer. A worker that is busy (the machine loaded, its database calls
 * queued) then finishes a slow stage instead of failing it at its inline
 * budget and retrying the whole job, which repeats work when there is
 * least time for it.
 */
export const BACKGROUND_BUDGET_FACTOR = 10;

/** One stage within its time budget. A stage past its budget is aborted and reported as failed. */
export async function runStage({ stage, mode }: PlannedStage, ctx: RunContext, origin: number): Promise<StageSpan> {
  const controller = new AbortController();
  const startMs = performance.now() - origin;
  const budgetMs = mode === "background" ? stage.timeoutMs * BACKGROUND_BUDGET_FACTOR : stage.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`${stage.name} exceeded its ${budgetMs} ms budget`));
    }, budgetMs);
  });
  try {
    await Promise.race([stage.run({ ...ctx, signal: controller.signal }), timeout]);
    const endMs = performance.now() - origin;
    return { name: stage.name, mode, startMs, endMs, ms: endMs - startMs, ok: true };
  } catch (error) {
    const endMs = performance.now() - origin;
    ctx.log.warn({ err: error, stage: stage.name, messageId: ctx.facts.reply.id }, "stage failed");
    return { name: stage.name, mode, startMs, endMs, ms: endMs - startMs, ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
