import { z } from "zod";

/**
 * What the cache knows about a key: a value, or that the source had none. L1 holds these as
 * they are; Redis holds their JSON.
 */
export type CacheEntry = { found: true; value: unknown; size: number } | { found: false; size: number };

export type DecodeResult = { ok: true; entry: CacheEntry; expiresAt: number } | { ok: false; reason: string };

// The envelope keeps "not found" apart from a value and carries the expiry, so an L2 hit can
// give L1 only the time the entry has left.
const envelopeSchema = z.union([
  z.object({ missing: z.literal(true), expiresAt: z.number() }),
  z.object({ value: z.unknown(), expiresAt: z.number() }),
]);

export function encodeEntry(value: unknown, ttlMs: number): string {
  const expiresAt = Date.now() + ttlMs;
  if (value === undefined) return JSON.stringify({ missing: true, expiresAt });
  const encoded = JSON.stringify({ value, expiresAt });
  if (typeof encoded !== "string") throw new TypeError("value has no JSON form");
  return encoded;
}

export function decodeEntry(raw: string, schema: z.ZodType | undefined): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: "not a cache entry" };
  const { expiresAt } = envelope.data;
  if ("missing" in envelope.data) return { ok: true, entry: { found: false, size: raw.length }, expiresAt };
  const { value } = envelope.data;
  // JSON drops undefined members, so a value that vanished on the way in is not a value.
  if (value === undefined || value === null) return { ok: false, reason: "value lost in JSON" };
  if (!schema) return { ok: true, entry: { found: true, value, size: raw.length }, expiresAt };
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `schema mismatch: ${z.prettifyError(parsed.error)}` };
  return { ok: true, entry: { found: true, value: parsed.data, size: raw.length }, expiresAt };
}
