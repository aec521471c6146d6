import { EmbeddedPostgresError } from "@leadline/db/embedded";

import { StartupError } from "./database";
import { EnvError } from "./env";

type Stop = () => Promise<void>;

/**
 * Runs stops in reverse order of start on SIGINT/SIGTERM, once; a second
 * signal exits at once. Expected start-up failures print one line, no stack.
 */
export function runMain(start: (onStop: (stop: Stop) => void) => Promise<void>) {
  const stops: Stop[] = [];
  let stopping = false;

  async function shutdown(code: number) {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) => console.error(`shutdown: ${String(error)}`));
    }
    process.exit(code);
  }

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      console.error(`\n${signal} received: shutting down (again to force)`);
      void shutdown(0);
    });
  }

  start((stop) => stops.push(stop)).catch(async (error: unknown) => {
    const expected = error instanceof EnvError || error instanceof StartupError || error instanceof EmbeddedPostgresError;
    console.error(expected ? `leadline: ${(error as Error).message}` : error);
    await shutdown(1);
  });
}
