/**
 * The variants measured side by side, chosen per request: D straight to the
 * simulator (the floor), S every optimization off (the plan's original
 * sequential flow), O everything on, and each optimization alone.
 */
import { FLAG_NAMES, parseFlagOverride } from "@leadline/flags/definitions";

export type Variant = {
  name: string;
  /** "direct": the OpenAI SDK to the simulator; "server": chat.send with `flags` as x-leadline-flags. */
  kind: "direct" | "server";
  flags: string;
  description: string;
};

export const DIRECT: Variant = { name: "D", kind: "direct", flags: "", description: "OpenAI SDK straight to the simulator (the floor)" };
export const SEQUENTIAL: Variant = { name: "S", kind: "server", flags: "off", description: "every optimization off: the plan's original sequential pipeline" };
export const OPTIMIZED: Variant = { name: "O", kind: "server", flags: "on", description: "every optimization on" };

/** One variant per flag: everything off but that one. */
export const SINGLES: readonly Variant[] = FLAG_NAMES.map((flag) => ({
  name: `+${flag.replace(/^pipeline\./, "")}`,
  kind: "server" as const,
  flags: `off,${flag}=on`,
  description: `only ${flag} on`,
}));

export const CORE_VARIANTS: readonly Variant[] = [DIRECT, SEQUENTIAL, OPTIMIZED];
export const ALL_VARIANTS: readonly Variant[] = [...CORE_VARIANTS, ...SINGLES];

/** Fails early if a header would be refused by the server's parser (and so silently ignored). */
export function checkVariants(variants: readonly Variant[]): void {
  for (const v of variants) {
    if (v.kind === "server" && parseFlagOverride(v.flags) === null) throw new Error(`variant ${v.name}: the server would not accept x-leadline-flags "${v.flags}"`);
  }
}
