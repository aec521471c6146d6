import { createTRPCClient, httpBatchLink } from "@trpc/client";
import type { ApiServices, AppRouter } from "@leadline/api";
import { createDatabase } from "@leadline/db/client";
import { createTestDatabase, type TestDatabase } from "@leadline/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startServer } from "./app";
import { parseEnv } from "./env";
import { createApiServer } from "./http";
import { createLlm } from "./llm";
import { createLogger } from "./logger";

const log = createLogger({ LOG_LEVEL: "silent" }, false);
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  database = await createTestDatabase();
  const env = parseEnv({ API_PORT: "1", WIDGET_ORIGIN: "http://widget.test" });
  server = await startServer({ ...env, API_PORT: 0 }, log, { databaseUrl: database.url, sessionSecret: "x".repeat(32), llm: { baseURL: "http://127.0.0.1:9/v1", apiKey: "k", demo: true } });
});
afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe("API server over HTTP", () => {
  it("answers /healthz and /readyz", async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ database: "up" });
  });

  it("keeps connections alive a minute and tells clients so, so they reuse them instead of reconnecting", async () => {
    const health = await fetch(`${server.url}/healthz`);
    await health.arrayBuffer();
    expect(health.headers.get("connection")).toBe("keep-alive");
    expect(health.headers.get("keep-alive")).toBe("timeout=65");
  });

  it("serves the tRPC router to @trpc/client", async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/trpc` })] });
    await expect(client.system.status.query()).resolves.toEqual({ version: expect.any(String), database: "up" });
  });

  it("CORS: chat procedures for the widget's origin only, the others for the admin app's only, a batch only if every procedure allows it", async () => {
    const allowedOrigin = async (path: string, origin: string) =>
      (await fetch(`${server.url}/trpc/${path}`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } })).headers.get("access-control-allow-origin");
    const widget = "http://widget.test";
    const admin = "http://localhost:3001";
    expect(await allowedOrigin("chat.startSession", widget)).toBe(widget);
    expect(await allowedOrigin("chat.startSession,chat.history", widget)).toBe(widget);
    expect(await allowedOrigin("chat.startSession", admin)).toBeNull();
    expect(await allowedOrigin("auth.login", admin)).toBe(admin);
    expect(await allowedOrigin("system.status", admin)).toBe(admin);
    expect(await allowedOrigin("auth.login", widget)).toBeNull();
    expect(await allowedOrigin("chat.history,auth.me", widget)).toBeNull();
    expect(await allowedOrigin("chat.history%2Cauth.me", widget)).toBeNull();
    expect(await allowedOrigin("chat.history,auth.me", admin)).toBeNull();
    expect(await allowedOrigin("chat.startSession", "http://evil.test")).toBeNull();
  });

  it("a tRPC answer varies by Origin as well as by what the client accepts, so no cache hands one origin's CORS answer to another", async () => {
    const response = await fetch(`${server.url}/trpc/system.status`, { headers: { origin: "http://localhost:3001" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:3001");
    expect(response.headers.get("vary")?.split(/,\s*/)).toEqual(expect.arrayContaining(["origin", "trpc-accept", "accept"]));
  });

  it("a missing procedure is a tRPC NOT_FOUND, not a crash", async () => {
    const response = await fetch(`${server.url}/trpc/nope.nothing`);
    expect(response.status).toBe(404);
  });
});

describe("readiness", () => {
  it("/readyz is 503 while the database is unreachable; /healthz stays 200", async () => {
    const env = parseEnv({});
    const dead = createDatabase("postgres://postgres@127.0.0.1:1/none", { connectTimeoutSeconds: 1 });
    // Only /readyz and /healthz are called: the services tRPC would need are left out.
    const services = { db: dead.db, sql: dead.sql, log, config: { sessionSecret: "x".repeat(32), sessionTtlSeconds: 60, maxMessageChars: 4000, version: "t" }, llm: createLlm(env, { baseURL: "http://127.0.0.1:9/v1", apiKey: "k", demo: true }) };
    const api = createApiServer({ services: services as unknown as ApiServices, corsOrigins: [] });
    const url = await api.listen(0, "127.0.0.1");
    try {
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await api.close(1000);
      await dead.close(0);
    }
  });
});
