import { pino } from "pino";

import type { Env } from "./env";

/** JSON lines for machines; readable lines when a person watches a terminal. */
export function createLogger(env: Pick<Env, "LOG_LEVEL">, pretty = process.stdout.isTTY === true) {
  return pino({
    level: env.LOG_LEVEL,
    base: { service: "leadline" },
    transport: pretty ? { target: "pino-pretty", options: { colorize: true, ignore: "pid,hostname,service", translateTime: "HH:MM:ss" } } : undefined,
  });
}

export type AppLogger = ReturnType<typeof createLogger>;
