import { FLAG_DEFINITIONS, FLAG_NAMES } from "../definitions";
import type { UnleashAdmin } from "./admin-api";

/**
 * Creates every pipeline flag that Unleash lacks, with a flexibleRollout
 * strategy sticky on sessionId, at the default in code (on: 100 %, off: 0 %).
 * Idempotent, run at every start; flags that exist are left as they are.
 */
export async function provisionFlags(admin: UnleashAdmin): Promise<string[]> {
  const created: string[] = [];
  for (const name of FLAG_NAMES) {
    const definition = FLAG_DEFINITIONS[name];
    const outcome = await admin.ensureFlag(name, definition.description, { enabled: true, rollout: definition.default ? 100 : 0 });
    if (outcome === "created") created.push(name);
  }
  return created;
}
