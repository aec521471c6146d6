import type { FlagSet } from "@leadline/flags/definitions";

import type { Complexity, Stage, StageMode } from "./stage";

export type PlannedStage = { stage: Stage; mode: StageMode };

/** What runs for one message: inline groups in order (each group's stages together), then background. */
export type Plan = {
  inline: PlannedStage[][];
  background: PlannedStage[];
  skipped: string[];
};

const RANK: Record<Complexity, number> = { simple: 0, moderate: 1, complex: 2 };

/**
 * The one place that turns flags into an execution plan. With every flag off
 * this is the plan's original flow: every stage, inline, one after another.
 */
export function planStages(stages: readonly Stage[], flags: FlagSet, complexity: Complexity): Plan {
  const skipped: string[] = [];
  const kept = stages.filter((stage) => {
    const needed = !flags["pipeline.smart-router"] || RANK[complexity] >= RANK[stage.neededFrom];
    if (!needed) skipped.push(stage.name);
    return needed;
  });
  const keptNames = new Set(kept.map((s) => s.name));

  // A stage goes to the background when the flag allows it and every stage it reads from is there too.
  const background: PlannedStage[] = [];
  const inline: Stage[] = [];
  const inBackground = new Set<string>();
  for (const stage of kept) {
    const canBackground = flags["pipeline.background"] && stage.modes.includes("background");
    const dependsOnInline = stage.after.some((name) => keptNames.has(name) && !inBackground.has(name));
    if (canBackground && !dependsOnInline) {
      background.push({ stage, mode: "background" });
      inBackground.add(stage.name);
    } else {
      inline.push(stage);
    }
  }

  if (!flags["pipeline.parallel-stages"]) {
    return { inline: inline.map((stage) => [{ stage, mode: "inline" }]), background, skipped };
  }
  return { inline: groupByDependencies(inline), background, skipped };
}

/**
 * Levels of the dependency graph (the registry lists stages after what they
 * read): a level's stages only read from earlier levels, so those that allow
 * it run together; a stage that does not allow parallel runs alone.
 */
export function groupByDependencies(stages: readonly Stage[]): PlannedStage[][] {
  const names = new Set(stages.map((s) => s.name));
  const level = new Map<string, number>();
  for (const stage of stages) {
    const deps = stage.after.filter((d) => names.has(d)).map((d) => level.get(d) ?? 0);
    level.set(stage.name, deps.length ? Math.max(...deps) + 1 : 0);
  }
  const levels: Stage[][] = [];
  for (const stage of stages) (levels[level.get(stage.name) ?? 0] ??= []).push(stage);

  const groups: PlannedStage[][] = [];
  for (const members of levels.filter(Boolean)) {
    const together = members.filter((s) => s.modes.includes("parallel"));
    if (together.length > 1) groups.push(together.map((stage) => ({ stage, mode: "parallel" as const })));
    else if (together.length === 1) groups.push([{ stage: together[0]!, mode: "inline" }]);
    for (const alone of members.filter((s) => !s.modes.includes("parallel"))) groups.push([{ stage: alone, mode: "inline" }]);
  }
  return groups;
}
