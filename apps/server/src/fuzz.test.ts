/**
 * Property: whatever arrives over HTTP, the API answers below 500, and in
 * time. Every query and mutation of the router is enumerated from the router
 * itself (a new procedure is fuzzed without a change here) and called with
 * generated inputs (valid-looking, one field broken, hostile), singly and in
 * batches, with the admin's cookie and without, and with the method, content
 * type, body or URL wrong. Afterwards the server still answers /healthz, the
 * admin is still logged in and a visitor can still chat.
 *
 * auth.logout and auth.changePassword are never sent with the admin's cookie
 * (they would end the session the rest depends on); they are fuzzed without
 * one. Rate limits and budgets answer 429 and 402: those are fine, as is any 4xx.
 * Each defect this found is pinned by a named test in hostile-input.test.ts.
 */
import { Agent } from "node:http";

import { appRouter } from "@leadline/api";
import { sites } from "@leadline/db/schema";
import { defaultFlags, FLAG_NAMES } from "@leadline/flags/definitions";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";

import { fuzzRequests, listProcedures, type FuzzContext, type FuzzRequest } from "./fuzz-requests";
import { probe, type ProbeResponse } from "./http-probe";
import { createMemoryUnleashAdmin } from "./memory-unleash-admin";
import { adminBrowser, startTestStack, TEST_ADMIN, TEST_ORIGIN, type TestStack } from "./testing";

const REQUESTS = 10_000;
const CONCURRENCY = 24;
const TIMEOUT_MS = 20_000;
const ADMIN_ORIGIN = "http://localhost:3001";

let stack: TestStack;
let admin: ReturnType<typeof adminBrowser>;
let ctx: FuzzContext;

beforeAll(async () => {
  stack = await startTestStack({ flags: defaultFlags(), unleashAdmin: createMemoryUnleashAdmin() });
  admin = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN);
  await admin.logIn();
  // A site of its own to chat on and to change, so the demo site stays as seeded for the last check.
  const [demo] = await stack.database.db.select().from(sites).where(eq(sites.publicKey, "demo"));
  const [site] = await stack.database.db.insert(sites).values({ ...demo!, id: undefined, publicKey: "fuzz", name: "Fuzz" }).returning();
  // One visitor session: a message id and a token offered together are then the session's own.
  const sessions = [await stack.client().chat.startSession.mutate({ siteKey: "fuzz" })];
  const stream = await stack.client().chat.send.mutate({ sessionToken: sessions[0]!.sessionToken, clientMessageId: "fuzz-fixture", text: "Hello" });
  const answers: string[] = [];
  for await (const event of stream) if (event.type === "done") answers.push(event.messageId);
  const at = new Date().toISOString().replace("Z", "000Z");
  const b64 = (text: string) => Buffer.from(text).toString("base64url");
  ctx = {
    known: {
      sessionToken: sessions.map((s) => s.sessionToken),
      sessionId: sessions.map((s) => s.sessionId),
      messageId: answers,
      id: [site!.id],
      siteKey: ["fuzz"],
      name: FLAG_NAMES,
      email: ["nobody@fuzz.example"],
      // Cursors shaped like the server's (leads and conversations; messages), at real and at impossible times.
      cursor: [at, "2025-13-45T99:99:99.999999Z", "0000-01-01T00:00:00.000000Z"].flatMap((t) => [b64(`${t}|${crypto.randomUUID()}`), b64(`${t}|assistant|${crypto.randomUUID()}`)]),
      day: [at.slice(0, 10), "2024-02-29", "0000-01-01"],
      reason: ["fuzzing the API"],
      text: ["Hello there", "My email is ana@example.com"],
    },
    widgetOrigin: TEST_ORIGIN,
    adminOrigin: ADMIN_ORIGIN,
    adminCookie: `leadline_admin=${admin.token()}`,
    anonymousOnly: new Set(["auth.logout", "auth.changePassword"]),
    streamed: new Set(["chat.send"]),
  };
});
afterAll(() => stack?.stop());

/** Why the response breaks the property, or null. */
function faultOf(response: ProbeResponse | "timeout"): string | null {
  if (response === "timeout") return `no answer within ${TIMEOUT_MS / 1000} s`;
  if (response.status >= 500) return `status ${response.status}`;
  // A batch (207) or a stream (200) carries each call's error in the body.
  const inside = /"httpStatus":5\d\d/.exec(response.text);
  if (inside) return `a 5xx call inside the body: …${response.text.slice(Math.max(0, inside.index - 200), inside.index + 60)}`;
  if (/"type":"error","code":"internal"/.test(response.text)) return "an internal error event in the stream";
  return null;
}

const describeRequest = (r: FuzzRequest) => ({ method: r.method, path: r.path.slice(0, 300), headers: r.headers, body: r.body?.slice(0, 300).toString() });

it(`answers ${REQUESTS.toLocaleString("en")} generated requests to every procedure below 500, in time`, { timeout: 240_000 }, async () => {
  const procedures = listProcedures(appRouter._def.procedures, ctx.known);
  expect(procedures.map((p) => p.path)).toEqual(expect.arrayContaining(["chat.send", "chat.feedback", "sites.update", "flags.setRollout", "reports.get", "auth.login"]));
  // A new seed each run explores further; a failure names its seed, to run that sequence again here.
  const seed = Date.now() ^ (Math.random() * 2 ** 31);
  // Generated a chunk at a time, as the workers need them: generating all up front holds every body in memory at once.
  const arbitrary = fuzzRequests(procedures, ctx);
  let pending: FuzzRequest[] = [];
  let generated = 0;
  const take = (): FuzzRequest | undefined => {
    if (pending.length === 0 && generated < REQUESTS) {
      pending = fc.sample(arbitrary, { numRuns: Math.min(250, REQUESTS - generated), seed: seed + generated });
      generated += pending.length;
    }
    return pending.pop();
  };
  const keepAlive = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const faults: { fault: string; request: ReturnType<typeof describeRequest> }[] = [];
  const statuses = new Map<number, number>();
  let calls = 0;
  const started = performance.now();

  let sent = 0;
  const worker = async () => {
    for (let request = take(); request; request = take()) {
      sent += 1;
      const send = (agent: Agent | false) => probe(stack.url, { ...request, timeoutMs: TIMEOUT_MS }, agent);
      // A kept-alive connection the server closed as this request went out is the client's bad luck: once more on a new one.
      const response = await send(request.fresh ? false : keepAlive).catch(() => send(false).catch((e: Error) => ({ status: 0, headers: {}, text: e.message })));
      calls += request.calls;
      if (response !== "timeout") statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const fault = response !== "timeout" && response.status === 0 ? `connection failed: ${response.text}` : faultOf(response);
      if (fault) faults.push({ fault, request: describeRequest(request) });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  keepAlive.destroy();

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.info(`fuzz: ${sent} requests, ${calls} calls, ${seconds} s, seed ${seed}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  expect(faults.slice(0, 5), `${faults.length} faults (seed ${seed})`).toEqual([]);
  expect(sent).toBeGreaterThanOrEqual(REQUESTS);
});

it("afterwards the server is healthy, the admin still logged in, and a visitor can chat", async () => {
  expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
  await expect(admin.client.auth.me.query()).resolves.toMatchObject({ email: TEST_ADMIN.email });
  // From another loopback address: the fuzzing client's own rate limits are spent.
  const from = { localAddress: "127.0.0.2", headers: { "content-type": "application/json", origin: TEST_ORIGIN } };
  const started = await probe(stack.url, { ...from, method: "POST", path: "/trpc/chat.startSession", body: JSON.stringify({ siteKey: "demo" }) });
  if (started === "timeout" || started.status !== 200) throw new Error(`startSession: ${JSON.stringify(started)}`);
  const { sessionToken } = JSON.parse(started.text).result.data as { sessionToken: string };
  const input = { 0: { sessionToken, clientMessageId: "after-the-fuzz", text: "Hi, I'm Ana from Globex" } };
  const sent = await probe(stack.url, { ...from, method: "POST", path: "/trpc/chat.send?batch=1", headers: { ...from.headers, "trpc-accept": "application/jsonl" }, body: JSON.stringify(input) });
  expect(sent !== "timeout" && sent.status).toBe(200);
  expect(sent !== "timeout" && sent.text).toMatch(/"type":"done"/);
});
