import type { AppRouter } from "@leadline/api";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

type Outputs = inferRouterOutputs<AppRouter>;
type Inputs = inferRouterInputs<AppRouter>;

export type Profile = Outputs["auth"]["me"];
export type FlagList = Outputs["flags"]["list"];
export type FlagRow = FlagList["flags"][number];
export type FlagState = NonNullable<FlagRow["state"]>;
export type LastChange = NonNullable<FlagRow["lastChange"]>;
export type FlagDescription = Outputs["flags"]["describe"];
export type CohortStats = FlagDescription["comparison"]["enabled"];
export type WindowMinutes = NonNullable<Inputs["flags"]["describe"]["windowMinutes"]>;

export type MetricWindow = Inputs["metrics"]["summary"]["window"];
export type MetricBucket = Inputs["metrics"]["timeseries"]["bucket"];
export type LatencySummary = Outputs["metrics"]["summary"];
export type StageSummary = Outputs["metrics"]["stages"];
export type StageRow = StageSummary["stages"][number];
export type Timeseries = Outputs["metrics"]["timeseries"];
export type TimeseriesPoint = Timeseries["points"][number];
export type CacheSummary = Outputs["metrics"]["caches"];
export type CostSummary = Outputs["metrics"]["costs"];
export type SatisfactionSummary = Outputs["metrics"]["satisfaction"];
export type FlagCohorts = Outputs["metrics"]["cohorts"]["flags"][number];

export type LeadStatus = NonNullable<Inputs["leads"]["list"]["status"]>;
export type Lead = Outputs["leads"]["get"];
export type Conversation = Outputs["conversations"]["get"];
export type ConversationMessage = Conversation["messages"][number];
export type MessageTiming = NonNullable<ConversationMessage["timing"]>;
export type ConversationSummary = Outputs["conversations"]["list"]["items"][number];
export type Alert = Outputs["alerts"]["list"][number];
export type AlertRuleList = Outputs["alerts"]["rules"];
export type AlertRule = AlertRuleList["rules"][number];
export type AlertRuleUpdate = Inputs["alerts"]["updateRule"];
export type ReportSummary = Outputs["reports"]["list"]["items"][number];
export type Report = Outputs["reports"]["get"];
export type ReportBody = Report["body"];
export type Site = Outputs["sites"]["list"][number];
export type SiteLimits = Outputs["sites"]["limits"];
export type RateLimitKey = keyof SiteLimits["effective"]["rateLimits"];
export type SiteUpdate = Inputs["sites"]["update"];
