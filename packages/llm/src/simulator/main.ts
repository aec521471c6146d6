import { readSimulatorEnv } from "./env";
import { startSimulator, type Simulator } from "./server";

async function main(): Promise<void> {
  let env;
  try {
    env = readSimulatorEnv();
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
    return;
  }

  let sim: Simulator;
  try {
    sim = await startSimulator(env);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    console.error(
      e.code === "EADDRINUSE"
        ? `LLM simulator: port ${env.port} is already in use (stop the other process or set LLM_SIMULATOR_PORT)`
        : `LLM simulator could not start on ${env.host}:${env.port}: ${e.message}`,
    );
    process.exitCode = 1;
    return;
  }
  console.log(`LLM simulator listening on ${sim.url}`);

  const stop = () => {
    sim.close().catch((error: unknown) => {
      console.error(`LLM simulator did not close cleanly: ${String(error)}`);
      process.exitCode = 1;
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

await main();
