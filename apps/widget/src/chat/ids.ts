/**
 * Random ids for visitors and messages: 32 hex characters, which the schema's
 * [A-Za-z0-9_-]{8,64} accepts. getRandomValues rather than randomUUID because
 * the latter exists only on https and localhost pages.
 */
export function createRandomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
