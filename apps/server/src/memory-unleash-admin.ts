/**
 * An Unleash Admin API kept in memory, for tests that change flags through
 * the API without touching the Unleash that other test files share.
 */
import { FLAG_DEFINITIONS, FLAG_NAMES } from "@leadline/flags/definitions";
import type { FlagState, UnleashAdmin } from "@leadline/flags/unleash-admin";

export function createMemoryUnleashAdmin(): UnleashAdmin {
  const flags = new Map<string, FlagState>(FLAG_NAMES.map((name) => [name, { name, enabled: FLAG_DEFINITIONS[name].default, rollout: 100, stickiness: "sessionId" }]));
  const stateOf = (name: string) => {
    const state = flags.get(name);
    if (!state) throw new Error(`flag ${name} does not exist`);
    return state;
  };
  return {
    environment: "development",
    getFlag: async (name) => flags.get(name) ?? null,
    async ensureFlag(name, _description, initial) {
      if (flags.has(name)) return "exists";
      flags.set(name, { name, ...initial, stickiness: "sessionId" });
      return "created";
    },
    setRollout: async (name, rollout) => ({ ...stateOf(name), rollout }),
    setEnabled: async (name, enabled) => ({ ...stateOf(name), enabled }),
  };
}
