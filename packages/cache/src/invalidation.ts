import { z } from "zod";

/** One key, or every key under a local prefix ("" is the whole cache). */
export type Invalidation = { kind: "key" | "prefix"; target: string };

const messageSchema = z.object({
  origin: z.string(),
  kind: z.enum(["key", "prefix"]),
  target: z.string(),
});

export function encodeInvalidationMessage(origin: string, invalidation: Invalidation): string {
  return JSON.stringify({ origin, ...invalidation });
}

/** undefined for anything another program might publish on the channel. */
export function decodeInvalidationMessage(raw: string): { origin: string; invalidation: Invalidation } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = messageSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { origin, kind, target } = parsed.data;
  return { origin, invalidation: { kind, target } };
}
