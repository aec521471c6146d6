import { ensureDatabase } from "@leadline/db/client";
import { startUnleashServer, UnleashStartError } from "@leadline/flags/unleash-server";

import { StartupError } from "./database";
import type { Env } from "./env";
import type { UnleashTarget } from "./flags";
import type { AppLogger } from "./logger";
import type { GeneratedSecrets } from "./secrets";

/**
 * The Unleash that `pnpm start` uses: UNLEASH_URL when set, else a real
 * unleash-server started here on its own database ("unleash") of the same
 * PostgreSQL, with tokens generated once and kept in the data directory.
 */
export async function resolveUnleash(env: Env, log: AppLogger, databaseUrl: string, secrets: GeneratedSecrets): Promise<{ target: UnleashTarget; embedded: boolean; stop(): Promise<void> }> {
  if (env.UNLEASH_URL) {
    if (!env.UNLEASH_CLIENT_TOKEN) throw new StartupError("UNLEASH_URL is set but UNLEASH_CLIENT_TOKEN is not: the server needs a backend token to read flags");
    return { target: { url: env.UNLEASH_URL, clientToken: env.UNLEASH_CLIENT_TOKEN, adminToken: env.UNLEASH_ADMIN_TOKEN }, embedded: false, stop: async () => {} };
  }
  let unleashDatabase: string;
  try {
    unleashDatabase = await ensureDatabase(databaseUrl, "unleash");
  } catch (error) {
    throw new StartupError(`could not create the "unleash" database for the embedded Unleash (${(error as Error).message}); set UNLEASH_URL to use your own`);
  }
  try {
    const server = await startUnleashServer({
      databaseUrl: unleashDatabase,
      port: env.UNLEASH_PORT,
      adminToken: secrets.unleashAdminToken,
      backendToken: secrets.unleashClientToken,
      adminPassword: secrets.unleashAdminPassword,
      log,
    });
    return { target: { url: server.url, clientToken: secrets.unleashClientToken, adminToken: secrets.unleashAdminToken }, embedded: true, stop: server.stop };
  } catch (error) {
    if (error instanceof UnleashStartError) throw new StartupError(error.message);
    throw error;
  }
}
