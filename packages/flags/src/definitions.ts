/**
 * Every pipeline optimization is a flag. Defaults live here, in code: they
 * are what a server uses when no flag service answers. With every flag off
 * the pipeline runs the plan's original flow (the baseline and the safe state
 * a rollback returns to).
 */
export const FLAG_DEFINITIONS = {
  "pipeline.streaming": {
    default: true,
    description: "Stream tokens to the widget as the model produces them (off: the whole reply after post-processing).",
  },
  "pipeline.batched-queries": {
    default: true,
    description: "Load session, history and rates in one round trip before the model call, and save the reply in one statement after it (off: one query after another).",
  },
  "pipeline.cache": {
    default: true,
    description: "Serve site config and model rates from the multi-level cache (off: always from Postgres).",
  },
  "pipeline.background": {
    default: true,
    description: "Run non-critical stages on the durable queue after the reply (off: inline, before the reply is final).",
  },
  "pipeline.parallel-stages": {
    default: true,
    description: "Run independent inline stages concurrently (off: one after another).",
  },
  "pipeline.smart-router": {
    default: true,
    description: "Classify each message simple/moderate/complex and skip stages it does not need (off: the full plan always).",
  },
  "pipeline.enhancement": {
    default: true,
    description: "Keep the stream open briefly for an 'enhanced' event when background work finishes quickly.",
  },
} as const satisfies Record<string, { default: boolean; description: string }>;

export type FlagName = keyof typeof FLAG_DEFINITIONS;
export type FlagSet = Readonly<Record<FlagName, boolean>>;

export const FLAG_NAMES = Object.keys(FLAG_DEFINITIONS) as FlagName[];

export function isFlagName(name: string): name is FlagName {
  return Object.hasOwn(FLAG_DEFINITIONS, name);
}

/** The flags as defined in code, with optional overrides. */
export function defaultFlags(overrides: Partial<Record<FlagName, boolean>> = {}): FlagSet {
  return Object.fromEntries(FLAG_NAMES.map((name) => [name, overrides[name] ?? FLAG_DEFINITIONS[name].default])) as FlagSet;
}

/** Every optimization off: the plan's original sequential flow. */
export function baselineFlags(): FlagSet {
  return Object.fromEntries(FLAG_NAMES.map((name) => [name, false])) as FlagSet;
}

/** What a flag evaluation may depend on; sticky on sessionId. */
export type FlagContext = { sessionId: string; organizationId: string; siteId: string; complexity?: string };

/** Resolves the flags once per message. Implementations must never throw or wait on the network. */
export type FlagResolver = { resolve(context: FlagContext): FlagSet };

export function staticFlagResolver(flags: FlagSet = defaultFlags()): FlagResolver {
  return { resolve: () => flags };
}

/**
 * A flag set from a request header, for the benchmark only (the server
 * honours it when started with ALLOW_FLAG_OVERRIDE=1): "on" or "off" for
 * every flag, then exceptions, e.g. "off,pipeline.background=on".
 * Returns null for anything malformed.
 */
export function parseFlagOverride(header: string): FlagSet | null {
  const [preset, ...exceptions] = header.split(",").map((part) => part.trim());
  if (preset !== "on" && preset !== "off") return null;
  const flags: Record<FlagName, boolean> = { ...(preset === "on" ? allOn() : baselineFlags()) };
  for (const exception of exceptions) {
    const [name, value] = exception.split("=");
    if (!name || !isFlagName(name) || (value !== "on" && value !== "off")) return null;
    flags[name] = value === "on";
  }
  return flags;
}

function allOn(): FlagSet {
  return Object.fromEntries(FLAG_NAMES.map((name) => [name, true])) as FlagSet;
}
