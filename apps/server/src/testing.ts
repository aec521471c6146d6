/**
 * A whole backend for integration and browser tests: a database of its own
 * (seeded), the LLM simulator, and the API server, all on free ports.
 */
import type { AppRouter } from "@leadline/api";
import { seedDatabase } from "@leadline/db/seed";
import { staticFlagResolver, type FlagSet } from "@leadline/flags/definitions";
import { createTestDatabase } from "@leadline/db/testing";
import { startSimulator, type SimulatorProfile } from "@leadline/llm/simulator";
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, splitLink } from "@trpc/client";

import { startServer } from "./app";
import { parseEnv } from "./env";
import { createLogger } from "./logger";

export const TEST_ORIGIN = "http://widget.test";

export async function startTestStack(
  options: { env?: Record<string, string>; profile?: Partial<SimulatorProfile>; origins?: string[]; flags?: FlagSet } = {},
) {
  const database = await createTestDatabase();
  const origins = options.origins ?? [TEST_ORIGIN];
  const { organizationId } = await seedDatabase(database.db, { demoOrigins: origins, admin: { email: "admin@test.example", password: "password-for-tests" } });
  const simulator = await startSimulator({ port: 0, profile: { firstTokenMs: 50, msPerToken: 5, ...options.profile } });
  const env = { ...parseEnv({ LOG_LEVEL: "silent", WIDGET_ORIGIN: origins[0], ...options.env }), API_PORT: 0 };
  const server = await startServer(env, createLogger(env, false), {
    databaseUrl: database.url,
    sessionSecret: "test-secret-".padEnd(40, "x"),
    llm: { baseURL: simulator.url, apiKey: "test", demo: true },
    flags: options.flags ? staticFlagResolver(options.flags) : undefined,
  });
  return {
    url: server.url,
    database,
    simulator,
    organizationId,
    services: server.services,
    /** A tRPC client as the widget has it: streaming for chat.send, batching for the rest. */
    client(origin: string = TEST_ORIGIN) {
      const common = { url: `${server.url}/trpc`, headers: { origin } };
      return createTRPCClient<AppRouter>({
        links: [splitLink({ condition: (op) => op.path === "chat.send", true: httpBatchStreamLink(common), false: httpBatchLink(common) })],
      });
    },
    async stop() {
      await server.stop();
      await simulator.close();
      await database.drop();
    },
  };
}

export type TestStack = Awaited<ReturnType<typeof startTestStack>>;
