import { createServer, type Server } from "node:http";

import { defaultFlags } from "@leadline/flags/definitions";
import { webhookDeliveries, webhookEndpoints } from "@leadline/db/schema";
import { createTestDatabase, freePort, type TestDatabase } from "@leadline/db/testing";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startPipelineRuntime, type PipelineRuntime } from "./runtime";
import { fixedReplyModel, insertUserMessage, seedSession } from "./testing";
import { answerTurn } from "./turn";

const SECRET = `whsec_${Buffer.from("leadline-webhook-test-secret-32b").toString("base64")}`;
const silent = { info() {}, warn() {}, error() {} };

type Received = { id: string; verified: boolean; type: string };

/** A customer's webhook receiver: verifies every signature, answers with the next status from the script. */
function startReceiver(port: number, statuses: number[]) {
  const received: Received[] = [];
  const verifier = new Webhook(SECRET);
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      let verified = true;
      try {
        verifier.verify(body, req.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      received.push({ id: String(req.headers["webhook-id"]), verified, type: (JSON.parse(body) as { type: string }).type });
      res.writeHead(verified ? (statuses.shift() ?? 200) : 401).end();
    });
  });
  return new Promise<{ received: Received[]; close(): Promise<void> }>((resolve) =>
    server.listen(port, "127.0.0.1", () => resolve({ received, close: () => new Promise((r) => server.close(() => r())) })),
  );
}

let database: TestDatabase;
let runtime: PipelineRuntime;
let fixture: Awaited<ReturnType<typeof seedSession>>;

beforeAll(async () => {
  database = await createTestDatabase();
  fixture = await seedSession(database);
  runtime = await startPipelineRuntime({ url: database.url, db: database.db, sql: database.sql }, silent, { client: fixedReplyModel(), demo: true }, {
    runWorker: true,
    queue: { webhookRetries: 3, webhookRetryDelaySeconds: 1, postProcessRetries: 1, postProcessRetryDelaySeconds: 1 },
    worker: { concurrency: 2, relayIntervalMs: 60_000, relayAfterMs: 60_000 },
    enhancementWindowMs: 0,
  });
});
afterAll(async () => {
  await runtime?.stop();
  await database?.drop();
});

async function sendMessage(text: string) {
  const user = await insertUserMessage(database, fixture.claims, text);
  await answerTurn(
    runtime.deps,
    {
      claims: fixture.claims,
      visitorId: fixture.visitorId,
      userMessage: { content: user.content, clientMessageId: user.clientMessageId ?? "" },
      store: () => Promise.resolve(user.id),
      session: null,
      systemPrompt: "",
      history: [],
      qualification: fixture.site.qualificationSettings,
      flags: defaultFlags({ "pipeline.enhancement": false }),
      complexity: "complex",
      startedAt: performance.now(),
      lookupMs: 0,
    },
    () => {},
  );
}

const deliveriesOf = (endpointId: string) => database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));

describe("webhooks", () => {
  it("receiver down → retried → delivered when it returns; signed; retries carry the same id", async () => {
    const port = await freePort();
    const [endpoint] = await database.db
      .insert(webhookEndpoints)
      .values({ organizationId: fixture.organizationId, url: `http://127.0.0.1:${port}/hooks`, secret: SECRET, eventTypes: ["lead.captured"] })
      .returning();

    await sendMessage("I'm Dana Scully, dana@fbi.example");
    // Nothing listens yet: the first attempt fails and is recorded.
    await expect.poll(async () => (await deliveriesOf(endpoint!.id))[0], { timeout: 15_000 }).toMatchObject({ status: "failed", attempts: 1 });

    // The receiver comes back but answers 500 once, then 200.
    const receiver = await startReceiver(port, [500, 200]);
    try {
      await expect.poll(async () => (await deliveriesOf(endpoint!.id))[0], { timeout: 20_000 }).toMatchObject({ status: "delivered", lastStatusCode: 200 });
      const [delivery] = await deliveriesOf(endpoint!.id);
      // One refused attempt at least, then the 500, then the 200.
      expect(delivery!.attempts).toBeGreaterThanOrEqual(3);
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received.every((r) => r.verified && r.type === "lead.captured")).toBe(true);
      // The duplicate carries the same id, so the receiver can drop it.
      expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
      expect(receiver.received[0]!.id).toBe(delivery!.eventId);
    } finally {
      await receiver.close();
      await database.db.update(webhookEndpoints).set({ enabled: false }).where(eq(webhookEndpoints.id, endpoint!.id));
    }
  });

  it("after the last retry a delivery is dead, kept with its last error", async () => {
    const port = await freePort(); // never listened on
    const [endpoint] = await database.db
      .insert(webhookEndpoints)
      .values({ organizationId: fixture.organizationId, url: `http://127.0.0.1:${port}/hooks`, secret: SECRET })
      .returning();
    await sendMessage("Just browsing, thanks");
    await expect
      .poll(async () => (await deliveriesOf(endpoint!.id)).find((d) => d.eventType === "message.replied"), { timeout: 40_000, interval: 500 })
      .toMatchObject({ status: "dead", attempts: 4, lastError: expect.stringMatching(/ECONNREFUSED|fetch failed/) });
  }, 60_000);

  it("a delivery committed but never handed to the queue is enqueued by the relay, once", async () => {
    const port = await freePort();
    const receiver = await startReceiver(port, []);
    const [endpoint] = await database.db
      .insert(webhookEndpoints)
      .values({ organizationId: fixture.organizationId, url: `http://127.0.0.1:${port}/hooks`, secret: SECRET, eventTypes: ["alert.opened"] })
      .returning();
    try {
      // What the alert evaluator commits before its hand-off to the queue, which here "fails".
      const [stranded] = await database.db
        .insert(webhookDeliveries)
        .values({ organizationId: fixture.organizationId, endpointId: endpoint!.id, eventId: `evt-${Date.now()}`, eventType: "alert.opened", payload: { type: "alert.opened" } })
        .returning();
      expect(await runtime.worker!.relayDeliveriesNow()).toBe(1);
      // Its job now waits or runs: the relay does not send it again.
      expect(await runtime.worker!.relayDeliveriesNow()).toBe(0);
      await expect.poll(async () => (await deliveriesOf(endpoint!.id))[0], { timeout: 15_000 }).toMatchObject({ id: stranded!.id, status: "delivered", attempts: 1 });
      expect(receiver.received).toEqual([{ id: stranded!.eventId, verified: true, type: "alert.opened" }]);
      expect(await runtime.worker!.relayDeliveriesNow()).toBe(0);
    } finally {
      await receiver.close();
      await database.db.update(webhookEndpoints).set({ enabled: false }).where(eq(webhookEndpoints.id, endpoint!.id));
    }
  });
});
