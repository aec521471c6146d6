export * from "./organizations";
export * from "./tenancy";
export * from "./chat";
export * from "./leads";
export * from "./billing";
export * from "./timings";
export * from "./alerts";
export * from "./webhooks";
