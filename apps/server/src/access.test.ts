/**
 * Access rules over the whole router, so a procedure added later cannot
 * forget them: every procedure outside the visitor's and the login's is
 * refused to anonymous callers, and every such mutation is refused to a
 * viewer before its input is even read.
 */
import { appRouter } from "@leadline/api";
import { hashPassword } from "@leadline/db/password";
import { adminUsers } from "@leadline/db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { adminBrowser, startTestStack, TEST_ADMIN, type TestStack } from "./testing";

const ADMIN_ORIGIN = "http://localhost:3001";
const VIEWER = { email: "viewer@access.example", password: "viewer-password-1" };

/** Open to anyone (the widget's visitors, logging in and out, the status check). */
const PUBLIC = /^(chat\.|auth\.(login|logout)$|system\.status$)/;
/** Changes a signed-in user makes to their own account, viewers included. */
const OWN_ACCOUNT = /^auth\.changePassword$/;

type Procedure = { path: string; type: "query" | "mutation" };
const procedures: Procedure[] = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>).map(([path, p]) => ({
  path,
  type: p._def.type as Procedure["type"],
}));

let stack: TestStack;
let viewerCookie: string;
beforeAll(async () => {
  stack = await startTestStack({ env: { ADMIN_ORIGIN } });
  await stack.database.db.insert(adminUsers).values({ organizationId: stack.organizationId, email: VIEWER.email, role: "viewer", passwordHash: await hashPassword(VIEWER.password) });
  const viewer = adminBrowser(stack.url, ADMIN_ORIGIN, VIEWER);
  await viewer.logIn(VIEWER.email, VIEWER.password);
  viewerCookie = `leadline_admin=${viewer.token()}`;
});
afterAll(() => stack?.stop());

/** One raw call with an empty input, as a browser on the admin origin would make it. */
async function call({ path, type }: Procedure, cookie?: string) {
  const headers: Record<string, string> = { origin: ADMIN_ORIGIN, "content-type": "application/json", ...(cookie ? { cookie } : {}) };
  if (path === "chat.send") {
    // Streamed, as the widget's link calls it (the API refuses it any other way): the refusal is inside the stream.
    const response = await fetch(`${stack.url}/trpc/${path}?batch=1`, { method: "POST", headers: { ...headers, "trpc-accept": "application/jsonl" }, body: '{"0":{}}' });
    return /"data":\{"code":"(\w+)"/.exec(await response.text())?.[1] ?? `HTTP ${response.status}`;
  }
  const response =
    type === "query"
      ? await fetch(`${stack.url}/trpc/${path}?input=${encodeURIComponent("{}")}`, { headers })
      : await fetch(`${stack.url}/trpc/${path}`, { method: "POST", headers, body: "{}" });
  const body = (await response.json()) as { error?: { data?: { code?: string } } };
  return body.error?.data?.code ?? `HTTP ${response.status}`;
}

describe("every chat procedure", () => {
  it("refuses a browser call from another origin than the widget's (here the admin app's) with FORBIDDEN, before its input is read", async () => {
    const chat = procedures.filter((p) => p.path.startsWith("chat."));
    expect(chat.length).toBeGreaterThan(3);
    const answers = await Promise.all(chat.map(async (p) => [p.path, await call(p)]));
    expect(answers.filter(([, code]) => code !== "FORBIDDEN")).toEqual([]);
  });
});

describe("every admin procedure", () => {
  it("the router has admin procedures of each kind to check", () => {
    const guarded = procedures.filter((p) => !PUBLIC.test(p.path));
    expect(guarded.filter((p) => p.type === "query").length).toBeGreaterThan(10);
    expect(guarded.filter((p) => p.type === "mutation").length).toBeGreaterThan(3);
  });

  it("refuses anonymous callers with UNAUTHORIZED", async () => {
    const answers = await Promise.all(procedures.filter((p) => !PUBLIC.test(p.path)).map(async (p) => [p.path, await call(p)]));
    expect(answers.filter(([, code]) => code !== "UNAUTHORIZED")).toEqual([]);
  });

  it("refuses every change to a viewer with FORBIDDEN, whatever the input", async () => {
    const mutations = procedures.filter((p) => p.type === "mutation" && !PUBLIC.test(p.path) && !OWN_ACCOUNT.test(p.path));
    const answers = await Promise.all(mutations.map(async (p) => [p.path, await call(p, viewerCookie)]));
    expect(answers.filter(([, code]) => code !== "FORBIDDEN")).toEqual([]);
  });

  it("lets a viewer read, and an admin too (queries with valid input answer)", async () => {
    const viewer = adminBrowser(stack.url, ADMIN_ORIGIN, VIEWER);
    await viewer.logIn(VIEWER.email, VIEWER.password);
    await expect(viewer.client.metrics.summary.query({ window: "1h" })).resolves.toMatchObject({ count: 0 });
    const admin = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN);
    await admin.logIn(TEST_ADMIN.email, TEST_ADMIN.password);
    await expect(admin.client.leads.list.query({})).resolves.toMatchObject({ items: [] });
  });
});
