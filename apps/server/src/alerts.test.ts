import { evaluateAlertRules, startAlertEvaluator, type RuleOutcome } from "@leadline/api/alerts/evaluate";
import { hashPassword } from "@leadline/db/password";
import { adminUsers, alertRules, alerts, auditLog, outboxEvents, webhookDeliveries, webhookEndpoints } from "@leadline/db/schema";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTenant, percentileCont, seedMessages, startWebhookReceiver, type Tenant } from "./fixtures";
import { adminBrowser, expectCode, startTestStack, TEST_ADMIN, type TestStack } from "./testing";

const ADMIN_ORIGIN = "http://localhost:3001";
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const VIEWER = { email: "viewer@test.example", password: "password-of-viewer", role: "viewer" as const };
const OTHER_ADMIN = { email: "admin@other.example", password: "password-of-other", role: "admin" as const };
const A_ADMIN = { email: "admin@a.example", password: "password-of-a", role: "admin" as const };

let stack: TestStack;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
/** Noon (UTC) of a day three weeks back: each scenario takes a day of its own after it, far from the clock's now. */
const noon = new Date(Math.floor((Date.now() - 21 * DAY) / DAY) * DAY + DAY / 2);
const dayAfter = (days: number) => new Date(noon.getTime() + days * DAY);

beforeAll(async () => {
  // The worker's own evaluator would run at the real clock; these tests call it at chosen moments.
  stack = await startTestStack({ env: { ALERT_INTERVAL_MS: "3600000" } });
  receiver = await startWebhookReceiver();
  await stack.database.db.insert(adminUsers).values({ organizationId: stack.organizationId, email: VIEWER.email, role: "viewer", passwordHash: await hashPassword(VIEWER.password) });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const db = () => stack.database.db;
const deliver = (deliveryId: string, organizationId: string) => stack.services.pipeline.queue!.sendDeliverWebhook({ deliveryId, organizationId }).then(() => {});
const evaluate = (now: Date) => evaluateAlertRules(db(), { now, deliver });
const outcomeOf = (outcomes: RuleOutcome[], tenant: Tenant, kind: RuleOutcome["kind"]) => outcomes.find((o) => o.organizationId === tenant.organizationId && o.kind === kind);
const alertsOf = (tenant: Tenant) => db().select().from(alerts).where(eq(alerts.organizationId, tenant.organizationId)).orderBy(alerts.startedAt);
const deliveriesOf = (tenant: Tenant) => db().select().from(webhookDeliveries).where(eq(webhookDeliveries.organizationId, tenant.organizationId));
/** Only tenant A has endpoints: everything the receiver got is A's. */
const received = () => receiver.received;

async function loggedIn(login: { email: string; password: string } = TEST_ADMIN) {
  const browser = adminBrowser(stack.url, ADMIN_ORIGIN, login);
  await browser.logIn();
  return browser.client;
}

describe("the alert evaluator", () => {
  let a: Tenant;
  const t = dayAfter(1);
  const slow = Array.from({ length: 25 }, (_, i) => 9_000 + i * 150);

  beforeAll(async () => {
    a = await createTenant(db(), "tenant-a", A_ADMIN);
    await db().insert(webhookEndpoints).values([
      { organizationId: a.organizationId, url: receiver.url, secret: "whsec_dGVzdC1zZWNyZXQtZm9yLWFsZXJ0cw==", eventTypes: ["alert.opened", "alert.resolved"] },
      { organizationId: a.organizationId, url: `${receiver.url}/leads-only`, secret: "whsec_dGVzdC1zZWNyZXQtZm9yLWFsZXJ0cw==", eventTypes: ["lead.captured"] },
    ]);
  });

  it("a few slow messages are too few to judge: no alert, however slow", async () => {
    await seedMessages(db(), a, Array.from({ length: 5 }, (_, i) => ({ at: new Date(t.getTime() - MIN + i), totalMs: 30_000 })));
    expect(outcomeOf(await evaluate(t), a, "p95_total_above")).toMatchObject({ state: "no data", samples: 5 });
    expect(await alertsOf(a)).toEqual([]);
  });

  it("p95 total above the threshold over enough messages: an alert opens, with an alert.opened event and a signed webhook", async () => {
    await seedMessages(db(), a, slow.map((totalMs, i) => ({ at: new Date(t.getTime() - 2 * MIN + i), totalMs })));
    const p95 = percentileCont([...slow, ...Array(5).fill(30_000)], 0.95)!;
    expect(p95).toBeGreaterThan(8_000);
    expect(outcomeOf(await evaluate(t), a, "p95_total_above")).toEqual({ organizationId: a.organizationId, kind: "p95_total_above", state: "opened", value: expect.closeTo(p95, 6), samples: 30 });

    const [alert, ...more] = await alertsOf(a);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rule: "p95_total_above", severity: p95 >= 16_000 ? "critical" : "warning", startedAt: t, endedAt: null });
    expect(alert!.message).toMatch(/^p95 total time \d+\.\d s over the last 5 min \(threshold 8000 ms, 30 messages\)$/);
    const events = await db().select().from(outboxEvents).where(and(eq(outboxEvents.organizationId, a.organizationId), eq(outboxEvents.type, "alert.opened")));
    expect(events.map((e) => e.payload)).toEqual([expect.objectContaining({ alertId: alert!.id, rule: "p95_total_above", threshold: 8000, forMinutes: 5 })]);
    // One delivery, to the endpoint that wants alerts (not the leads-only one), sent by the worker.
    await expect.poll(() => received().map((r) => r.type), { timeout: 15_000 }).toEqual(["alert.opened"]);
    expect(received()[0]).toMatchObject({ id: events[0]!.id, signed: true });
    await expect.poll(async () => (await deliveriesOf(a)).map((d) => d.status)).toEqual(["delivered"]);
  });

  it("evaluated again at the same moment: nothing new", async () => {
    expect(outcomeOf(await evaluate(t), a, "p95_total_above")).toMatchObject({ state: "firing" });
    expect(outcomeOf(await evaluate(t), a, "p95_total_above")).toMatchObject({ state: "firing" });
    expect(await alertsOf(a)).toHaveLength(1);
    expect(await deliveriesOf(a)).toHaveLength(1);
  });

  it("traffic recovers: the alert ends, with an alert.resolved event and webhook; then all is quiet", async () => {
    const later = new Date(t.getTime() + 10 * MIN); // the slow messages have left the 5-minute window
    await seedMessages(db(), a, Array.from({ length: 25 }, (_, i) => ({ at: new Date(later.getTime() - MIN + i), totalMs: 1_000 + i })));
    expect(outcomeOf(await evaluate(later), a, "p95_total_above")).toMatchObject({ state: "resolved", samples: 25 });
    const [alert] = await alertsOf(a);
    expect(alert).toMatchObject({ endedAt: later, details: expect.objectContaining({ resolution: { reason: "recovered", value: expect.any(Number), samples: 25 } }) });
    await expect.poll(() => received().map((r) => r.type), { timeout: 15_000 }).toEqual(["alert.opened", "alert.resolved"]);
    expect(received()[1]!.data).toMatchObject({ alertId: alert!.id, reason: "recovered", endedAt: later.toISOString() });

    expect(outcomeOf(await evaluate(later), a, "p95_total_above")).toMatchObject({ state: "ok" });
    expect(await alertsOf(a)).toHaveLength(1);
    expect(await deliveriesOf(a)).toHaveLength(2);
  });

  it("error rate, background lag and today's cost each open their own alert; twice the threshold is critical", async () => {
    const b = await createTenant(db(), "tenant-b");
    const now = dayAfter(2);
    // 25 fast messages, 10 failed (40 %), background lag 12 s, $3 each ($75 today).
    await seedMessages(db(), b, Array.from({ length: 25 }, (_, i) => ({ at: new Date(now.getTime() - MIN + i), totalMs: 1_000, failed: i < 10, lagMs: 12_000, costUsd: "3.00000000" })));
    const outcomes = await evaluate(now);
    expect(outcomeOf(outcomes, b, "p95_total_above")).toMatchObject({ state: "ok" });
    expect(outcomeOf(outcomes, b, "error_rate_above")).toMatchObject({ state: "opened", value: expect.closeTo(0.4, 6), samples: 25 });
    expect(outcomeOf(outcomes, b, "background_lag_above")).toMatchObject({ state: "opened", value: 12_000, samples: 25 });
    expect(outcomeOf(outcomes, b, "daily_cost_above")).toMatchObject({ state: "opened", value: expect.closeTo(75, 6) });
    const opened = Object.fromEntries((await alertsOf(b)).map((x) => [x.rule, x]));
    expect(opened.error_rate_above).toMatchObject({ severity: "critical", message: "Error rate 40.0 % over the last 5 min (threshold 5.0 %, 25 messages)" });
    expect(opened.background_lag_above).toMatchObject({ severity: "critical" });
    expect(opened.daily_cost_above).toMatchObject({ severity: "warning", message: "Model cost today $75.00 (threshold $50.00)" });

    // Switching a rule off ends its open alert.
    await db().update(alertRules).set({ enabled: false }).where(and(eq(alertRules.organizationId, b.organizationId), eq(alertRules.kind, "error_rate_above")));
    expect(outcomeOf(await evaluate(now), b, "error_rate_above")).toMatchObject({ state: "disabled" });
    const [ended] = await db().select().from(alerts).where(and(eq(alerts.organizationId, b.organizationId), eq(alerts.rule, "error_rate_above")));
    expect(ended).toMatchObject({ endedAt: now, details: expect.objectContaining({ resolution: expect.objectContaining({ reason: "rule disabled" }) }) });
    expect(await db().select().from(outboxEvents).where(and(eq(outboxEvents.organizationId, b.organizationId), eq(outboxEvents.type, "alert.resolved")))).toHaveLength(1);
  });

  it("a stalled worker opens the background lag alert: replies waiting past the threshold count before any run is recorded", async () => {
    const c = await createTenant(db(), "tenant-stalled");
    const now = dayAfter(4);
    // Two replies whose background work never finished (no job description: the relay leaves them alone), and no runs at all.
    const waiting = await db()
      .insert(outboxEvents)
      .values([10, 8].map((minutesAgo) => ({ organizationId: c.organizationId, type: "message.replied", payload: {}, createdAt: new Date(now.getTime() - minutesAgo * MIN) })))
      .returning();
    expect(outcomeOf(await evaluate(now), c, "background_lag_above")).toMatchObject({ state: "opened", value: 10 * MIN, samples: 2 });
    // Once the work is done and runs show a normal lag again, the alert resolves on that evidence.
    await db().update(outboxEvents).set({ processedAt: now }).where(eq(outboxEvents.organizationId, c.organizationId));
    await seedMessages(db(), c, Array.from({ length: 25 }, (_, i) => ({ at: new Date(now.getTime() - MIN + i), totalMs: 1_000, lagMs: 200 })));
    expect(outcomeOf(await evaluate(now), c, "background_lag_above")).toMatchObject({ state: "resolved", value: 200, samples: 25 });
    expect(waiting).toHaveLength(2);
  });

  it("money spent needs no minimum sample: one expensive reply is enough for the daily cost rule", async () => {
    const c = await createTenant(db(), "tenant-c");
    const now = dayAfter(3);
    await seedMessages(db(), c, [{ at: new Date(now.getTime() - 3 * 60 * MIN), totalMs: 50_000, costUsd: "60.00000000" }]);
    const outcomes = await evaluate(now);
    expect(outcomeOf(outcomes, c, "daily_cost_above")).toMatchObject({ state: "opened", samples: 1 });
    expect(outcomeOf(outcomes, c, "p95_total_above")).toMatchObject({ state: "no data" });
    // The next UTC day starts at $0: the alert ends.
    expect(outcomeOf(await evaluate(dayAfter(3.5)), c, "daily_cost_above")).toMatchObject({ state: "resolved", value: 0 });
  });

  it("lists each organization's own alerts only", async () => {
    const mine = await (await loggedIn(A_ADMIN)).alerts.list.query({});
    expect(mine.map((x) => x.rule)).toEqual(["p95_total_above"]);
    expect(mine[0]).toMatchObject({ open: false, severity: expect.any(String), startedAt: t.toISOString() });
    expect((await (await loggedIn()).alerts.list.query({})).map((x) => x.rule)).not.toContain("p95_total_above");
  });
});

describe("alerts.rules and alerts.updateRule", () => {
  const snapshot = async (organizationId: string) =>
    (await db().select().from(alertRules).where(eq(alertRules.organizationId, organizationId))).map((r) => ({ kind: r.kind, threshold: r.threshold, forMinutes: r.forMinutes, enabled: r.enabled })).sort((x, y) => x.kind.localeCompare(y.kind));
  const auditCount = async () => (await db().select().from(auditLog).where(eq(auditLog.action, "alert_rule.update"))).length;
  let other: Tenant;
  beforeAll(async () => {
    other = await createTenant(db(), "other", OTHER_ADMIN);
  });

  it("anonymous callers get UNAUTHORIZED", async () => {
    const anonymous = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN).client;
    await expectCode(anonymous.alerts.list.query({}), "UNAUTHORIZED");
    await expectCode(anonymous.alerts.rules.query(), "UNAUTHORIZED");
    await expectCode(anonymous.alerts.updateRule.mutate({ kind: "p95_total_above", threshold: 1 }), "UNAUTHORIZED");
  });

  it("every organization starts with the defaults, in a fixed order", async () => {
    const { rules, windowsMinutes } = await (await loggedIn(OTHER_ADMIN)).alerts.rules.query();
    expect(windowsMinutes).toEqual([5, 15, 60]);
    expect(rules.map(({ kind, unit, threshold, forMinutes, enabled, updatedBy }) => ({ kind, unit, threshold, forMinutes, enabled, updatedBy }))).toEqual([
      { kind: "p95_total_above", unit: "ms", threshold: 8000, forMinutes: 5, enabled: true, updatedBy: null },
      { kind: "error_rate_above", unit: "ratio", threshold: 0.05, forMinutes: 5, enabled: true, updatedBy: null },
      { kind: "background_lag_above", unit: "ms", threshold: 5000, forMinutes: 5, enabled: true, updatedBy: null },
      { kind: "daily_cost_above", unit: "usd", threshold: 50, forMinutes: null, enabled: true, updatedBy: null },
    ]);
  });

  it("an admin changes a rule of their own organization, audited with who and what it was", async () => {
    const admin = await loggedIn();
    const before = await auditCount();
    const updated = await admin.alerts.updateRule.mutate({ kind: "p95_total_above", threshold: 6000, forMinutes: 15 });
    expect(updated).toMatchObject({ kind: "p95_total_above", threshold: 6000, forMinutes: 15, enabled: true, updatedBy: TEST_ADMIN.email });
    expect((await admin.alerts.rules.query()).rules[0]).toMatchObject({ threshold: 6000, forMinutes: 15, updatedBy: TEST_ADMIN.email });
    await admin.alerts.updateRule.mutate({ kind: "daily_cost_above", enabled: false });
    expect((await admin.alerts.rules.query()).rules[3]).toMatchObject({ threshold: 50, forMinutes: null, enabled: false });

    const [entry] = await db().select().from(auditLog).where(and(eq(auditLog.action, "alert_rule.update"), eq(auditLog.targetId, "p95_total_above")));
    expect(entry).toMatchObject({ organizationId: stack.organizationId, actorType: "admin", actorId: expect.any(String), details: { before: { threshold: 8000, forMinutes: 5, enabled: true }, after: { threshold: 6000, forMinutes: 15, enabled: true } } });
    expect(await auditCount()).toBe(before + 2);
    // The other organization's rules are its own.
    expect((await snapshot(other.organizationId)).find((r) => r.kind === "p95_total_above")).toMatchObject({ threshold: 8000, forMinutes: 5 });
  });

  it("a viewer sees the rules but cannot change them", async () => {
    const viewer = await loggedIn(VIEWER);
    expect((await viewer.alerts.rules.query()).rules).toHaveLength(4);
    const before = await snapshot(stack.organizationId);
    await expectCode(viewer.alerts.updateRule.mutate({ kind: "error_rate_above", threshold: 0.5 }), "FORBIDDEN");
    expect(await snapshot(stack.organizationId)).toEqual(before);
  });

  it.each([
    ["a zero threshold", { kind: "p95_total_above", threshold: 0 }],
    ["a negative threshold", { kind: "background_lag_above", threshold: -5 }],
    ["an error rate above 100 %", { kind: "error_rate_above", threshold: 1.5 }],
    ["a p95 above ten minutes", { kind: "p95_total_above", threshold: 1e9 }],
    ["a cost too small to store", { kind: "daily_cost_above", threshold: 0.00001 }],
    ["a window not on the list", { kind: "p95_total_above", forMinutes: 7 }],
    ["a window for the daily cost", { kind: "daily_cost_above", forMinutes: 60 }],
    ["an unknown kind", { kind: "p99_total_above", threshold: 100 }],
    ["nothing to change", { kind: "error_rate_above" }],
    ["a threshold that is not a number", { kind: "error_rate_above", threshold: "0.1" }],
  ])("%s: BAD_REQUEST, nothing changed", async (_label, input) => {
    const admin = await loggedIn();
    const [rules, audits] = [await snapshot(stack.organizationId), await auditCount()];
    await expectCode(admin.alerts.updateRule.mutate(input as never), "BAD_REQUEST");
    expect(await snapshot(stack.organizationId)).toEqual(rules);
    expect(await auditCount()).toBe(audits);
  });
});

describe("the evaluator as the worker runs it", () => {
  it("runs on its own, opens the alert, and stops cleanly", async () => {
    const w = await createTenant(db(), "tenant-w");
    await seedMessages(db(), w, Array.from({ length: 25 }, (_, i) => ({ at: new Date(Date.now() - 30_000 + i), totalMs: 20_000 })));
    const warnings: string[] = [];
    const evaluator = startAlertEvaluator({ url: stack.database.url, db: db(), deliver, log: { warn: (_o, m) => void warnings.push(m ?? ""), info() {} } }, { intervalMs: 50, minSamples: 20 });
    try {
      await expect
        .poll(async () => (await db().select().from(alerts).where(and(eq(alerts.organizationId, w.organizationId), isNull(alerts.endedAt)))).map((x) => x.rule), { timeout: 15_000 })
        .toEqual(["p95_total_above"]);
      expect(warnings).toContain("alert opened");
    } finally {
      await evaluator.stop();
    }
  });
});
