import { z } from "zod";

export type SimulatorFault =
  | "error500"
  | "error429"
  | "hang"
  | { stallAfterTokens: number }
  | { slowMsPerToken: number };

export const faultSchema: z.ZodType<SimulatorFault> = z.union([
  z.enum(["error500", "error429", "hang"]),
  z.strictObject({ stallAfterTokens: z.number().int().nonnegative() }),
  z.strictObject({ slowMsPerToken: z.number().nonnegative() }),
]);

export const faultRequestSchema = z.strictObject({
  fault: faultSchema,
  count: z.number().int().positive().optional(),
});

/** The fault armed for the next requests: for `count` of them, or until cleared. */
export function createFaultBook() {
  let armed: { fault: SimulatorFault; remaining: number | null } | null = null;
  return {
    set(fault: SimulatorFault, count?: number) {
      if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
        throw new RangeError(`fault count must be a positive integer, got ${count}`);
      }
      armed = { fault, remaining: count ?? null };
    },
    clear() {
      armed = null;
    },
    /** The fault for one request, counting it against `count`. */
    take(): SimulatorFault | null {
      if (!armed) return null;
      const { fault } = armed;
      if (armed.remaining !== null && --armed.remaining === 0) armed = null;
      return fault;
    },
  };
}

/** The `x-sim-fault` header: a plain name ("hang") or JSON ({"stallAfterTokens":3}). */
export function parseFaultHeader(value: string): SimulatorFault | Error {
  const trimmed = value.trim();
  let candidate: unknown = trimmed;
  if (trimmed.startsWith("{") || trimmed.startsWith('"')) {
    try {
      candidate = JSON.parse(trimmed);
    } catch {
      return new Error(`x-sim-fault is not valid JSON: ${trimmed}`);
    }
  }
  const parsed = faultSchema.safeParse(candidate);
  return parsed.success ? parsed.data : new Error(`x-sim-fault is not a known fault: ${trimmed}`);
}
