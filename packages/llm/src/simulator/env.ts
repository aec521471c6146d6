import { z } from "zod";

import type { SimulatorProfile } from "./server";

// Blank variables count as unset, as they do for a shell's `VAR= cmd`.
const integer = (min: number, max: number) =>
  z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(min).max(max).optional());

const envSchema = z.object({
  LLM_SIMULATOR_PORT: integer(0, 65_535).default(4010),
  LLM_SIMULATOR_HOST: z.string().min(1).default("127.0.0.1"),
  SIM_FIRST_TOKEN_MS: integer(0, 600_000).default(400),
  SIM_MS_PER_TOKEN: integer(0, 60_000).default(25),
  SIM_REPLY_TOKENS: integer(1, 100_000),
});

export type SimulatorEnv = { port: number; host: string; profile: SimulatorProfile };

/** The simulator's settings from the environment; throws one readable line when a value is bad. */
export function readSimulatorEnv(source: NodeJS.ProcessEnv = process.env): SimulatorEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid LLM simulator environment: ${problems}`);
  }
  const env = parsed.data;
  return {
    port: env.LLM_SIMULATOR_PORT,
    host: env.LLM_SIMULATOR_HOST,
    profile: {
      firstTokenMs: env.SIM_FIRST_TOKEN_MS,
      msPerToken: env.SIM_MS_PER_TOKEN,
      ...(env.SIM_REPLY_TOKENS === undefined ? {} : { replyTokens: env.SIM_REPLY_TOKENS }),
    },
  };
}
