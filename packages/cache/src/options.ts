import type { z } from "zod";

export type CacheLog = {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
};

export type NamespaceOptions = {
  ttlMs: number;
  /** Data shared by every organization (model rates); addressed with the organization "global". */
  global?: boolean;
  /** Checked on every read from Redis and on every loaded value; a mismatch is a miss. */
  schema?: z.ZodType;
  /** Overrides the cache-wide negativeTtlMs for this namespace; 0 never caches "not found". */
  negativeTtlMs?: number;
};

export type CacheOptions<N extends string = string> = {
  namespaces: Record<N, NamespaceOptions>;
  /** Without it the cache is memory-only and never touches Redis. */
  redisUrl?: string;
  keyPrefix?: string;
  l1MaxEntries?: number;
  /** Approximate: the JSON length of each value. */
  l1MaxBytes?: number;
  negativeTtlMs?: number;
  redisTimeoutMs?: number;
  redisConnectTimeoutMs?: number;
  breaker?: { failures: number; coolDownMs: number };
  log?: CacheLog;
};

export type ResolvedNamespace = { ttlMs: number; global: boolean; schema?: z.ZodType; negativeTtlMs: number };

export type ResolvedOptions = {
  namespaces: Map<string, ResolvedNamespace>;
  redisUrl?: string;
  keyPrefix: string;
  l1MaxEntries: number;
  l1MaxBytes?: number;
  redisTimeoutMs: number;
  redisConnectTimeoutMs: number;
  breaker: { failures: number; coolDownMs: number };
  log: CacheLog;
};

/** The TTLs the performance plan (sections 2.4 and 4.3) asks for. */
export const PLAN_TTLS = {
  organizations: 5 * 60_000,
  visitors: 5 * 60_000,
  siteConfig: 10 * 60_000,
  entityTemplates: 60 * 60_000,
  modelRates: 24 * 3_600_000,
} as const;

const DEFAULTS = {
  keyPrefix: "leadline:cache",
  l1MaxEntries: 10_000,
  negativeTtlMs: 30_000,
  redisTimeoutMs: 50,
  redisConnectTimeoutMs: 1_000,
  breaker: { failures: 5, coolDownMs: 5_000 },
};

// Namespaces become parts of Redis keys and channel patterns, so a ":" would let one
// namespace's keys be read as another's.
const NAMESPACE_NAME = /^[A-Za-z0-9_-]+$/;

// Outages must never be silent, so without a logger they still reach stderr, one line each.
const consoleLog: CacheLog = {
  warn: (obj, msg) => console.warn(`[cache] ${msg ?? ""}`, JSON.stringify(obj)),
  info: (obj, msg) => console.info(`[cache] ${msg ?? ""}`, JSON.stringify(obj)),
};

export function resolveOptions(options: CacheOptions): ResolvedOptions {
  const negativeTtlMs = options.negativeTtlMs ?? DEFAULTS.negativeTtlMs;
  requireInteger("negativeTtlMs", negativeTtlMs, { allowZero: true });
  const namespaces = new Map<string, ResolvedNamespace>();
  for (const [name, spec] of Object.entries<NamespaceOptions>(options.namespaces)) {
    if (!NAMESPACE_NAME.test(name)) throw new TypeError(`cache namespace "${name}" must match ${NAMESPACE_NAME}`);
    requireInteger(`namespaces.${name}.ttlMs`, spec.ttlMs);
    const ownNegative = spec.negativeTtlMs ?? negativeTtlMs;
    requireInteger(`namespaces.${name}.negativeTtlMs`, ownNegative, { allowZero: true });
    namespaces.set(name, { ttlMs: spec.ttlMs, global: spec.global ?? false, schema: spec.schema, negativeTtlMs: ownNegative });
  }
  if (namespaces.size === 0) throw new TypeError("cache needs at least one namespace");

  const resolved: ResolvedOptions = {
    namespaces,
    redisUrl: options.redisUrl || undefined,
    keyPrefix: options.keyPrefix ?? DEFAULTS.keyPrefix,
    l1MaxEntries: options.l1MaxEntries ?? DEFAULTS.l1MaxEntries,
    l1MaxBytes: options.l1MaxBytes,
    redisTimeoutMs: options.redisTimeoutMs ?? DEFAULTS.redisTimeoutMs,
    redisConnectTimeoutMs: options.redisConnectTimeoutMs ?? DEFAULTS.redisConnectTimeoutMs,
    breaker: options.breaker ?? DEFAULTS.breaker,
    log: options.log ?? consoleLog,
  };
  if (resolved.keyPrefix === "" || /\s/.test(resolved.keyPrefix)) throw new TypeError("keyPrefix must be a non-empty word");
  requireInteger("l1MaxEntries", resolved.l1MaxEntries);
  if (resolved.l1MaxBytes !== undefined) requireInteger("l1MaxBytes", resolved.l1MaxBytes);
  requireInteger("redisTimeoutMs", resolved.redisTimeoutMs);
  requireInteger("redisConnectTimeoutMs", resolved.redisConnectTimeoutMs);
  requireInteger("breaker.failures", resolved.breaker.failures);
  requireInteger("breaker.coolDownMs", resolved.breaker.coolDownMs);
  return resolved;
}

function requireInteger(name: string, value: number, { allowZero = false } = {}): void {
  const valid = Number.isInteger(value) && (allowZero ? value >= 0 : value > 0);
  if (!valid) throw new TypeError(`cache option ${name} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${value}`);
}
