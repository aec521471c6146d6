import { InMemStorageProvider, Unleash } from "unleash-client";

import { defaultFlags, FLAG_NAMES, type FlagContext, type FlagResolver, type FlagSet } from "../definitions";

type Log = { warn(obj: object | string, msg?: string): void; info(obj: object | string, msg?: string): void };

/**
 * Flags from a real Unleash, through unleash-client: evaluated in memory on
 * every call (no network on the request path), refreshed in the background.
 * While Unleash is unreachable the last known flags keep serving (else the
 * defaults in code), with one warning per outage instead of one per poll.
 */
export function createUnleashFlagResolver(options: { url: string; token: string; appName?: string; refreshMs?: number; log: Log }) {
  const client = new Unleash({
    appName: options.appName ?? "leadline",
    url: `${options.url.replace(/\/$/, "")}/api/`,
    customHeaders: { Authorization: options.token },
    refreshInterval: options.refreshMs ?? 2_000,
    metricsInterval: 60_000,
    // No backup file in the OS temp dir: what was fetched lives in memory only.
    storageProvider: new InMemStorageProvider(),
    timeout: 3_000,
    skipInstanceCountWarning: true,
  });
  let outage = false;
  client.on("error", (error: Error) => {
    if (outage) return;
    outage = true;
    options.log.warn({ err: error.message }, "Unleash unreachable: serving the last known flags (else the defaults) until it is back");
  });
  client.on("warn", () => {});
  client.on("synchronized", () => {
    if (outage) options.log.info({}, "Unleash reachable again");
    outage = false;
  });
  client.on("changed", () => {
    if (outage) options.log.info({}, "Unleash reachable again");
    outage = false;
  });
  client.on("unchanged", () => {
    if (outage) options.log.info({}, "Unleash reachable again");
    outage = false;
  });
  const fallback = defaultFlags();

  const resolver: FlagResolver = {
    resolve(context: FlagContext): FlagSet {
      const unleashContext = { sessionId: context.sessionId, properties: { organizationId: context.organizationId, siteId: context.siteId, complexity: context.complexity ?? "" } };
      return Object.fromEntries(FLAG_NAMES.map((name) => [name, client.isEnabled(name, unleashContext, () => fallback[name])])) as FlagSet;
    },
  };
  return {
    resolver,
    /** Resolves once the first fetch succeeded, or after timeoutMs (the defaults serve meanwhile). */
    ready(timeoutMs = 5_000): Promise<boolean> {
      if (client.isSynchronized()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        client.once("synchronized", () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    destroy() {
      client.destroy();
      // destroy() removes the SDK's own listeners, yet a fetch already under
      // way still fails later and emits "error": with no listener left that
      // would crash the process. Swallow those late errors.
      (client as unknown as { repository?: { on(event: string, fn: () => void): void } }).repository?.on("error", () => {});
    },
  };
}

