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
