import type { CacheLog } from "./options";

/**
 * Turns the many failures of one Redis outage into one warning and one recovery note. Both
 * connections report here, so losing the subscriber and the command connection together is
 * still one outage.
 */
export function createOutageReporter(log: CacheLog, target: string) {
  const downParts = new Set<string>();
  let downSince: number | undefined;

  return {
    reportDown(part: string, error: unknown): void {
      downParts.add(part);
      if (downSince !== undefined) return;
      downSince = Date.now();
      log.warn({ redis: target, part, err: describeError(error) }, "redis unavailable: serving from memory and the source until it recovers");
    },

    reportUp(part: string): void {
      if (!downParts.delete(part) || downParts.size > 0 || downSince === undefined) return;
      log.info({ redis: target, downForMs: Date.now() - downSince }, "redis recovered");
      downSince = undefined;
    },
  };
}

export type OutageReporter = ReturnType<typeof createOutageReporter>;

// Only the message: a stack per outage says nothing the message does not.
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The URL without its password, fit for a log line. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    parsed.username = "";
    return parsed.toString();
  } catch {
    return "redis";
  }
}
