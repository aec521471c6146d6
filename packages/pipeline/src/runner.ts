import type { PlannedStage } from "./plan";
import type { Stage, StageContext, StageMode } from "./stage";

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
  const startMs = performance.now() - origin;
  try {
    await withinBudget(stage, mode, (signal) => stage.run({ ...ctx, signal }));
    const endMs = performance.now() - origin;
    return { name: stage.name, mode, startMs, endMs, ms: endMs - startMs, ok: true };
  } catch (error) {
    const endMs = performance.now() - origin;
    ctx.log.warn({ err: error, stage: stage.name, messageId: ctx.facts.reply.id }, "stage failed");
    return { name: stage.name, mode, startMs, endMs, ms: endMs - startMs, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** A stage that can also do many messages' work in one go: one statement for all of them instead of one each. */
export type BatchableStage = Stage & {
  /**
   * The same effect as run() for each context. Throwing fails the whole
   * batch (it is then run message by message); a stage whose messages can
   * fail on their own (a model call each) returns each one's error instead,
   * null for those that succeeded.
   */
  runBatch(ctxs: readonly StageContext[]): Promise<void | readonly unknown[]>;
};

/** A batch's contexts by organization: every query on tenant data takes its organization. */
export function byOrganization<T extends { facts: { organizationId: string } }>(ctxs: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const ctx of ctxs) {
    const group = groups.get(ctx.facts.organizationId);
    if (group) group.push(ctx);
    else groups.set(ctx.facts.organizationId, [ctx]);
  }
  return groups;
}

const isBatchable = (stage: Stage): stage is BatchableStage => typeof (stage as Partial<BatchableStage>).runBatch === "function";

/**
 * One background stage for many messages: in one go when the stage can, its
 * span then shared by all of them. A batch that fails is run again message
 * by message (stages are idempotent), so only the message that fails it
 * fails, as when each ran alone.
 */
export async function runStageBatch(stage: Stage, ctxs: readonly RunContext[], origin: number): Promise<StageSpan[]> {
  const first = ctxs[0];
  if (first && ctxs.length > 1 && isBatchable(stage)) {
    const startMs = performance.now() - origin;
    try {
      let errors: void | readonly unknown[];
      await withinBudget(stage, "background", async (signal) => {
        errors = await stage.runBatch(ctxs.map((ctx) => ({ ...ctx, signal })));
      });
      const endMs = performance.now() - origin;
      return ctxs.map((ctx, i) => {
        const error = errors?.[i];
        const span: StageSpan = { name: stage.name, mode: "background", startMs, endMs, ms: endMs - startMs, ok: error == null };
        if (error == null) return span;
        ctx.log.warn({ err: error, stage: stage.name, messageId: ctx.facts.reply.id }, "stage failed");
        return { ...span, error: error instanceof Error ? error.message : String(error) };
      });
    } catch (error) {
      first.log.warn({ err: error, stage: stage.name, messages: ctxs.length }, "batched stage failed; running its messages one by one");
    }
  }
  return Promise.all(ctxs.map((ctx) => runStage({ stage, mode: "background" }, ctx, origin)));
}

/** Runs `work` with an abort signal, failing it once the stage's budget for this mode has passed. */
async function withinBudget(stage: Stage, mode: StageMode, work: (signal: AbortSignal) => Promise<void>) {
  const controller = new AbortController();
  const budgetMs = mode === "background" ? stage.timeoutMs * BACKGROUND_BUDGET_FACTOR : stage.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`${stage.name} exceeded its ${budgetMs} ms budget`));
    }, budgetMs);
  });
  try {
    await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
