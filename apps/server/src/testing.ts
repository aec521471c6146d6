/**
 * A whole backend for integration and browser tests: a database of its own
 * (seeded), the LLM simulator, and the API server, all on free ports.
 */
import type { AppRouter } from "@leadline/api";
import { seedDatabase } from "@leadline/db/seed";
import { staticFlagResolver, type FlagSet } from "@leadline/flags/definitions";
import type { UnleashAdmin } from "@leadline/flags/unleash-admin";
import { createTestDatabase } from "@leadline/db/testing";
import { startSimulator, type SimulatorProfile } from "@leadline/llm/simulator";
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, splitLink, TRPCClientError } from "@trpc/client";
import { expect } from "vitest";

import { startServer } from "./app";
import type { UnleashTarget } from "./flags";
import type { Stage } from "@leadline/pipeline/stage";
import { parseEnv } from "./env";
import { createLogger } from "./logger";

export const TEST_ORIGIN = "http://widget.test";

/**
 * Tests send from one address, many messages a minute: limits far above what
 * they send, unless a test sets its own (limits.test.ts tests the real ones).
 */
export const GENEROUS_LIMITS = {
  RATE_LIMIT_SESSION_MESSAGES: "10000",
  RATE_LIMIT_ADDRESS_MESSAGES: "100000",
  RATE_LIMIT_SITE_MESSAGES: "100000",
  RATE_LIMIT_ADDRESS_SESSIONS: "10000",
  RATE_LIMIT_SITE_SESSIONS: "100000",
  SESSION_MESSAGE_CAP: "10000",
  DAILY_BUDGET_USD: "1000",
  MONTHLY_BUDGET_USD: "10000",
};

export async function startTestStack(
  options: {
    env?: Record<string, string>;
    profile?: Partial<SimulatorProfile>;
    origins?: string[];
    flags?: FlagSet;
    unleash?: UnleashTarget;
    /** With `flags`: the Unleash Admin API the flags router changes rollouts through. */
    unleashAdmin?: UnleashAdmin;
    stages?: readonly Stage[];
    /** ROLE=all with the worker in a worker thread, as `pnpm start` runs it. */
    workerThread?: boolean;
  } = {},
) {
  const database = await createTestDatabase();
  const origins = options.origins ?? [TEST_ORIGIN];
  const { organizationId } = await seedDatabase(database.db, { demoOrigins: origins, admin: TEST_ADMIN });
  const simulator = await startSimulator({ port: 0, profile: { firstTokenMs: 50, msPerToken: 5, ...options.profile } });
  const env = { ...parseEnv({ LOG_LEVEL: "silent", WIDGET_ORIGIN: origins[0], ...GENEROUS_LIMITS, ...options.env }), API_PORT: 0 };
  const server = await startServer(env, createLogger(env, false), {
    databaseUrl: database.url,
    sessionSecret: "test-secret-".padEnd(40, "x"),
    llm: { baseURL: simulator.url, apiKey: "test", demo: true },
    flags: options.flags ? staticFlagResolver(options.flags) : undefined,
    unleash: options.unleash ?? null,
    unleashAdmin: options.unleashAdmin,
    stages: options.stages,
    workerThread: options.workerThread,
  });
  return {
    url: server.url,
    /** The queue, timings and, unless the worker runs in a thread, the worker. */
    pipeline: server.pipeline,
    workerThread: server.workerThread,
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

/** The seeded admin of every test stack. */
export const TEST_ADMIN = { email: "admin@test.example", password: "password-for-tests" };

/**
 * A browser as far as cookies go: sends the Origin it is given and the
 * cookies it was set, and keeps every Set-Cookie it receives.
 */
export function adminBrowser(apiUrl: string, origin: string | null, login: { email: string; password: string }) {
  const jar = new Map<string, string>();
  const setCookies: string[] = [];
  const client = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${apiUrl}/trpc`,
        headers: () => ({
          ...(origin ? { origin } : {}),
          ...(jar.size > 0 ? { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; ") } : {}),
        }),
        fetch: async (url, init) => {
          const response = await fetch(url, init as RequestInit);
          for (const header of response.headers.getSetCookie()) {
            setCookies.push(header);
            const [pair = ""] = header.split(";");
            const name = pair.slice(0, pair.indexOf("="));
            const value = pair.slice(pair.indexOf("=") + 1);
            if (/Max-Age=0(;|$)/.test(header)) jar.delete(name);
            else jar.set(name, value);
          }
          return response;
        },
      }),
    ],
  });
  return {
    client,
    jar,
    setCookies,
    token: () => jar.get("leadline_admin"),
    logIn: (email = login.email, password = login.password) => client.auth.login.mutate({ email, password }),
  };
}

/** Awaits a tRPC call that must fail with the given code; returns the error. */
export async function expectCode(promise: Promise<unknown>, code: string) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(TRPCClientError);
  expect((error as TRPCClientError<AppRouter>).data?.code).toBe(code);
  return error as TRPCClientError<AppRouter>;
}
