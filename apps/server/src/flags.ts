import { defaultFlags, staticFlagResolver, type FlagResolver } from "@leadline/flags/definitions";
import { createUnleashAdmin, type UnleashAdmin } from "@leadline/flags/unleash-admin";
import { createUnleashFlagResolver } from "@leadline/flags/unleash-client";
import { provisionFlags } from "@leadline/flags/provision";

import type { Env } from "./env";
import type { AppLogger } from "./logger";

export type UnleashTarget = { url: string; clientToken: string; adminToken?: string };

/**
 * The flag source of this process: Unleash when configured (flags created if
 * missing, at every start), else the defaults in code. Unleash being down
 * never stops the server: the defaults serve until it answers.
 */
export async function startFlags(
  env: Env,
  log: AppLogger,
  target: UnleashTarget | null,
): Promise<{ resolver: FlagResolver; admin: UnleashAdmin | null; stop(): void }> {
  if (!target) {
    log.info("flags: the defaults in code (UNLEASH_URL is not set)");
    return { resolver: staticFlagResolver(defaultFlags()), admin: null, stop() {} };
  }
  const admin = target.adminToken ? createUnleashAdmin({ url: target.url, token: target.adminToken }) : null;
  if (admin) {
    await provisionFlags(admin).then(
      (created) => created.length && log.info({ created }, "created missing flags in Unleash"),
      (error: unknown) => log.warn({ err: (error as Error).message }, "could not provision flags in Unleash; continuing"),
    );
  }
  const client = createUnleashFlagResolver({ url: target.url, token: target.clientToken, refreshMs: env.UNLEASH_REFRESH_MS, log });
  if (!(await client.ready(5_000))) log.warn("Unleash did not answer at start: serving the defaults in code until it does");
  return { resolver: client.resolver, admin, stop: () => client.destroy() };
}
