import { createLlmClient } from "@leadline/llm/client";
import { startSimulator } from "@leadline/llm/simulator";
import { createStructuredExtractor } from "@leadline/llm/structured";

import { StartupError } from "./database";
import type { Env } from "./env";

export type LlmTarget = { baseURL: string | undefined; apiKey: string; demo: boolean };

/**
 * Where answers come from: OpenAI (or any OpenAI-compatible server at
 * OPENAI_BASE_URL) when configured, else the offline simulator, which the
 * widget then labels as the demo model.
 */
export function resolveLlmTarget(env: Env, simulatorUrl?: string): LlmTarget {
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) {
    return { baseURL: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY ?? "not-needed", demo: false };
  }
  return { baseURL: simulatorUrl ?? `http://127.0.0.1:${env.LLM_SIMULATOR_PORT}/v1`, apiKey: "offline-demo", demo: true };
}

export function createLlm(env: Env, target: LlmTarget) {
  return {
    client: createLlmClient({
      apiKey: target.apiKey,
      baseURL: target.baseURL,
      model: env.OPENAI_MODEL,
      maxOutputTokens: env.LLM_MAX_OUTPUT_TOKENS,
      firstTokenTimeoutMs: env.LLM_FIRST_TOKEN_TIMEOUT_MS,
      idleTimeoutMs: env.LLM_IDLE_TIMEOUT_MS,
      maxRetries: 2,
    }),
    demo: target.demo,
  };
}

/** Model-based structured extraction (the detailed scoring stage), on the same model and server. */
export function createStructured(env: Env, target: LlmTarget) {
  return createStructuredExtractor({ apiKey: target.apiKey, baseURL: target.baseURL, model: env.OPENAI_MODEL, timeoutMs: 15_000, maxOutputTokens: 300 });
}

/** The simulator in this process, for `pnpm start` without an OpenAI key. */
export async function startLocalSimulator(env: Env) {
  try {
    return await startSimulator({ port: env.LLM_SIMULATOR_PORT, host: "127.0.0.1" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartupError(
      code === "EADDRINUSE"
        ? `port ${env.LLM_SIMULATOR_PORT} (LLM_SIMULATOR_PORT) is already in use; stop what uses it or set LLM_SIMULATOR_PORT`
        : `the LLM simulator did not start: ${String(error)}`,
    );
  }
}
