import { seedDatabase } from "@leadline/db/seed";
import { alerts, auditLog, chatSessions, requestTimings, sites, visitors, webhookDeliveries, webhookEndpoints } from "@leadline/db/schema";
import { createTestDatabase, type TestDatabase } from "@leadline/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";

import { defaultFlags } from "../definitions";
import { TEST_ADMIN_TOKEN } from "../testing/global-setup";
import "../testing/provided";
import { createUnleashAdmin } from "../unleash/admin-api";
import { provisionFlags } from "../unleash/provision";
import { runGuardOnce, type GuardOptions } from "./guard";

const FLAG = "pipeline.parallel-stages";
const options: GuardOptions = { windowMinutes: 15, minSamples: 30, latencyRatio: 1.2, latencyMarginMs: 50, errorRateMargin: 0.02 };

let database: TestDatabase;
let admin: ReturnType<typeof createUnleashAdmin>;
let ids: { organizationId: string; siteId: string; sessionId: string };

beforeAll(async () => {
  database = await createTestDatabase();
  const { organizationId } = await seedDatabase(database.db, { demoOrigins: [], admin: { email: "a@test.example", password: "password-for-tests" } });
  const [site] = await database.db.select().from(sites).where(eq(sites.organizationId, organizationId));
  const [visitor] = await database.db.insert(visitors).values({ organizationId, siteId: site!.id }).returning();
  const [session] = await database.db.insert(chatSessions).values({ organizationId, siteId: site!.id, visitorId: visitor!.id }).returning();
  ids = { organizationId, siteId: site!.id, sessionId: session!.id };
  admin = createUnleashAdmin({ url: inject("testUnleashUrl"), token: TEST_ADMIN_TOKEN });
  await provisionFlags(admin);
});
afterAll(() => database?.drop());
beforeEach(async () => {
  await database.db.delete(requestTimings);
  await admin.setRollout(FLAG, 50);
});

/** Messages as the tracker records them: n per cohort, with the given total and first-token times. */
async function record(n: number, enabled: boolean, totalMs: number, failed = 0) {
  await database.db.insert(requestTimings).values(
    Array.from({ length: n }, (_, i) => ({
      ...ids,
      totalMs: totalMs + (i % 10) * 5,
      timeToFirstTokenMs: 900 + (i % 10) * 3,
      flags: { ...defaultFlags(), [FLAG]: enabled },
      outcome: i < failed ? "failed" : "complete",
    })),
  );
}
const decisionFor = (decisions: Awaited<ReturnType<typeof runGuardOnce>>) => decisions.find((d) => d.flag === FLAG)!;

describe("rollout guard", () => {
  it("a slower enabled cohort: the rollout steps down 50 → 10, an alert, an audit entry and a webhook delivery follow", async () => {
    const [endpoint] = await database.db
      .insert(webhookEndpoints)
      .values({ organizationId: ids.organizationId, url: "http://127.0.0.1:9/hooks", secret: "whsec_dGVzdC1zZWNyZXQtZm9yLWd1YXJk", eventTypes: ["flag.rolled_back"] })
      .returning();
    await record(60, true, 3_000);
    await record(60, false, 1_000);
    const delivered: string[] = [];
    const decision = decisionFor(await runGuardOnce(database.db, admin, options, async (id) => void delivered.push(id)));
    expect(decision).toMatchObject({ action: "rolled back", from: 50, to: 10, reason: expect.stringMatching(/p95 total/) });
    expect((await admin.getFlag(FLAG))?.rollout).toBe(10);
    const [alert] = await database.db.select().from(alerts).where(eq(alerts.rule, "rollout_guard"));
    expect(alert).toMatchObject({ organizationId: ids.organizationId, severity: "warning", message: expect.stringContaining("from 50 % to 10 %") });
    // The intent was on record before Unleash was asked, the outcome after.
    const audits = await database.db.select().from(auditLog).where(eq(auditLog.targetId, FLAG)).orderBy(auditLog.createdAt);
    expect(audits.map((a) => [a.action, a.actorType])).toEqual([
      ["flag.rollback.requested", "system"],
      ["flag.rollback", "system"],
    ]);
    expect(audits[0]!.details).toMatchObject({ from: 50, to: 10 });
    const deliveries = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint!.id));
    expect(deliveries.map((d) => d.eventType)).toEqual(["flag.rolled_back"]);
    expect(delivered).toEqual(deliveries.map((d) => d.id));

    // Still degraded at 10 %: the next run goes to 0.
    expect(decisionFor(await runGuardOnce(database.db, admin, options))).toMatchObject({ action: "rolled back", from: 10, to: 0 });
  });

  it("Unleash refusing the rollback: the intent and the failure are on record, and no alert claims a rollback", async () => {
    await record(60, true, 3_000);
    await record(60, false, 1_000);
    await database.db.delete(auditLog);
    await database.db.delete(alerts);
    const refusing = { ...admin, setRollout: async () => Promise.reject(new Error("Unleash answered 503")) };
    await expect(runGuardOnce(database.db, refusing, options)).rejects.toThrow(/503/);
    const audits = await database.db.select().from(auditLog).where(eq(auditLog.targetId, FLAG)).orderBy(auditLog.createdAt);
    expect(audits.map((a) => a.action)).toEqual(["flag.rollback.requested", "flag.rollback.failed"]);
    expect(audits[1]!.details).toMatchObject({ error: "Unleash answered 503" });
    expect(await database.db.select().from(alerts).where(eq(alerts.rule, "rollout_guard"))).toEqual([]);
    expect((await admin.getFlag(FLAG))?.rollout).toBe(50);
  });

  it("more errors with the flag: rolled back", async () => {
    await record(60, true, 1_000, 10);
    await record(60, false, 1_000, 0);
    expect(decisionFor(await runGuardOnce(database.db, admin, options))).toMatchObject({ action: "rolled back", reason: expect.stringMatching(/error rate/) });
  });

  it("a healthy cohort is left alone", async () => {
    await record(60, true, 1_010);
    await record(60, false, 1_000);
    expect(decisionFor(await runGuardOnce(database.db, admin, options))).toMatchObject({ action: "skipped", reason: "healthy" });
    expect((await admin.getFlag(FLAG))?.rollout).toBe(50);
  });

  it("too few samples: no action, however bad they look", async () => {
    await record(10, true, 9_000);
    await record(60, false, 1_000);
    expect(decisionFor(await runGuardOnce(database.db, admin, options))).toMatchObject({ action: "skipped", reason: "too few samples" });
    expect((await admin.getFlag(FLAG))?.rollout).toBe(50);
  });

  it("a flag at 100 % or switched off is not in rollout and never touched", async () => {
    await admin.setRollout(FLAG, 100);
    await record(60, true, 3_000);
    await record(60, false, 1_000);
    expect(decisionFor(await runGuardOnce(database.db, admin, options))).toMatchObject({ action: "skipped", reason: "not in rollout" });
  });
});
