import type { Stage } from "./stage";
import { calculateCostStage } from "./stages/calculate-cost";
import { extractEntitiesStage } from "./stages/extract-entities";
import { notifyWebhooksStage } from "./stages/notify-webhooks";
import { qualifyLeadStage } from "./stages/qualify-lead";
import { recordAnalyticsStage } from "./stages/record-analytics";
import { scoreInDetailStage } from "./stages/score-in-detail";
import { writeAuditStage } from "./stages/write-audit";

/**
 * Every post-processing stage, in the order the plan's original flow ran
 * them; a stage is listed after the stages it reads from. Adding a stage is
 * one file in stages/ and one line here.
 */
export const STAGES: readonly Stage[] = [
  extractEntitiesStage,
  qualifyLeadStage,
  calculateCostStage,
  recordAnalyticsStage,
  writeAuditStage,
  scoreInDetailStage,
  notifyWebhooksStage,
];
