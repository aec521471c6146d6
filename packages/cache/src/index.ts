export { createCache, type Cache, type CacheResult, type CacheSource, type Loader } from "./cache";
export { GLOBAL_ORGANIZATION } from "./keys";
export { PLAN_TTLS, type CacheLog, type CacheOptions, type NamespaceOptions } from "./options";
export type { CacheStats, NamespaceStats } from "./stats";
