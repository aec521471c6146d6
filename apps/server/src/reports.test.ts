import { generateDailyReport, utcDay, type DailyReportBody } from "@leadline/api/reports/generate";
import { generateReportNow } from "@leadline/api/reports/list";
import { hashPassword } from "@leadline/db/password";
import { adminUsers, alerts, dailyReports, leads, organizations, sites, type StageTiming } from "@leadline/db/schema";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createSession, createTenant, percentileCont, seedMessages, type SeededMessage, type Tenant } from "./fixtures";
import { adminBrowser, expectCode, startTestStack, TEST_ADMIN, type TestStack } from "./testing";

const ADMIN_ORIGIN = "http://localhost:3001";
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const VIEWER = { email: "viewer@test.example", password: "password-of-viewer", role: "viewer" as const };
const OTHER_ADMIN = { email: "admin@other.example", password: "password-of-other", role: "admin" as const };

/** The reported day: three days back, UTC. */
const now = new Date();
const DAY_STR = utcDay(now, -3);
const dayStart = new Date(`${DAY_STR}T00:00:00.000Z`).getTime();

/** 40 messages spread over the day (the first exactly at midnight), varied deterministically; `scale` marks the other organization's. */
function dayOfTraffic(scale: number, tag: string): (SeededMessage & { stages: StageTiming[] })[] {
  return Array.from({ length: 40 }, (_, i) => {
    const background = i % 2 === 0;
    return {
      at: new Date(dayStart + i * 35 * MIN),
      totalMs: scale * (500 + ((i * 389) % 97) * 31),
      ttftMs: i % 6 === 0 ? null : scale * (100 + ((i * 53) % 41) * 7),
      failed: i % 5 === 0,
      lagMs: i % 4 === 0 ? null : scale * (100 + i * 13),
      stages: [
        { name: "lookups", mode: "parallel", ms: 10 + (i % 4) * 5, ok: true },
        { name: "save-reply", mode: "inline", ms: 3 + (i % 3), ok: true },
        { name: `qualify-lead${tag}`, mode: background ? "background" : "inline", ms: background ? 0 : 40 + i, ok: i % 3 !== 0 },
      ],
      cacheHits: { site: { hits: i % 3, misses: 1 }, rates: { hits: 2, misses: i % 2 } },
      costUsd: i % 2 === 0 ? (0.001 * scale * (i + 1)).toFixed(8) : i % 7 === 3 ? null : undefined,
      rating: i % 3 === 0 ? "up" : i % 3 === 1 ? "down" : undefined,
    };
  });
}
/** Just outside the day on either side: never in its report. */
const outside: SeededMessage[] = [
  { at: new Date(dayStart - 1), totalMs: 99_999, failed: true, lagMs: 99_999, costUsd: "100.00000000", rating: "up", cacheHits: { site: { hits: 50, misses: 0 } } },
  { at: new Date(dayStart + DAY), totalMs: 99_999, failed: true, lagMs: 99_999, costUsd: "100.00000000", rating: "down", cacheHits: { site: { hits: 0, misses: 50 } } },
];

let stack: TestStack;
let demo: Tenant;
let other: Tenant;
const traffic = dayOfTraffic(1, "");

async function addLead(tenant: Tenant, lead: { status: "new" | "qualified" | "hot"; contact: Record<string, string>; createdAt: number; updatedAt: number }) {
  const { sessionId } = await createSession(stack.database.db, tenant.organizationId, tenant.siteId);
  await stack.database.db.insert(leads).values({ organizationId: tenant.organizationId, siteId: tenant.siteId, sessionId, status: lead.status, contactInfo: lead.contact, createdAt: new Date(lead.createdAt), updatedAt: new Date(lead.updatedAt) });
}

async function seedDay(tenant: Tenant, messages: SeededMessage[]) {
  const db = stack.database.db;
  await seedMessages(db, tenant, [...messages, ...outside]);
  // New that day: one with an email, one with a phone, one without contact. One older lead qualified that day; one lead of the next day.
  await addLead(tenant, { status: "qualified", contact: { email: "ana@globex.example" }, createdAt: dayStart + 60 * MIN, updatedAt: dayStart + 90 * MIN });
  await addLead(tenant, { status: "hot", contact: { phone: "+1 415 555 0100" }, createdAt: dayStart + 120 * MIN, updatedAt: dayStart + 130 * MIN });
  await addLead(tenant, { status: "new", contact: { name: "Bo" }, createdAt: dayStart + 200 * MIN, updatedAt: dayStart + 200 * MIN });
  await addLead(tenant, { status: "qualified", contact: { email: "old@globex.example" }, createdAt: dayStart - 2 * DAY, updatedAt: dayStart + 300 * MIN });
  await addLead(tenant, { status: "hot", contact: { email: "next@globex.example" }, createdAt: dayStart + DAY + MIN, updatedAt: dayStart + DAY + MIN });
  await db.insert(alerts).values([
    { organizationId: tenant.organizationId, rule: "p95_total_above", severity: "warning", message: "slow", startedAt: new Date(dayStart + 3 * 60 * MIN), endedAt: new Date(dayStart + 4 * 60 * MIN) },
    { organizationId: tenant.organizationId, rule: "error_rate_above", severity: "critical", message: "errors", startedAt: new Date(dayStart + 20 * 60 * MIN), endedAt: new Date(dayStart + 21 * 60 * MIN) },
    { organizationId: tenant.organizationId, rule: "daily_cost_above", severity: "warning", message: "the day before", startedAt: new Date(dayStart - MIN), endedAt: new Date(dayStart) },
  ]);
}

beforeAll(async () => {
  stack = await startTestStack();
  const db = stack.database.db;
  const [site] = await db.select().from(sites).where(eq(sites.organizationId, stack.organizationId));
  demo = { organizationId: stack.organizationId, siteId: site!.id, ...(await createSession(db, stack.organizationId, site!.id)) };
  await createTenant(db, "quiet"); // no traffic: the daily job still reports it (all zeros)
  other = await createTenant(db, "other", OTHER_ADMIN);
  await db.insert(adminUsers).values({ organizationId: demo.organizationId, email: VIEWER.email, role: VIEWER.role, passwordHash: await hashPassword(VIEWER.password) });
  await seedDay(demo, traffic);
  await seedDay(other, dayOfTraffic(100, "-other"));
});
afterAll(() => stack?.stop());

async function loggedIn(login: { email: string; password: string } = TEST_ADMIN) {
  const browser = adminBrowser(stack.url, ADMIN_ORIGIN, login);
  await browser.logIn();
  return browser.client;
}

function expectNear(actual: number | null | undefined, expected: number | null) {
  if (expected === null) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(expected, 6);
}
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const present = <T>(values: (T | null | undefined)[]) => values.filter((v): v is T => v !== null && v !== undefined);
function expectPercentiles(got: { p50: number | null; p95: number | null; p99: number | null }, values: number[]) {
  for (const [key, p] of [["p50", 0.5], ["p95", 0.95], ["p99", 0.99]] as const) expectNear(got[key], percentileCont(values, p));
}

describe("generateDailyReport", () => {
  it("the day's numbers, and only the day's: each matches what the test computes from the seeded rows", async () => {
    const row = await generateDailyReport(stack.database.db, demo.organizationId, DAY_STR);
    const body = row.body as DailyReportBody;
    expect(body).toMatchObject({ version: 1, day: DAY_STR, complete: true, messages: 40 });
    expectNear(body.errorRate, traffic.filter((m) => m.failed).length / 40);
    expectPercentiles(body.totalMs, traffic.map((m) => m.totalMs));
    expectPercentiles(body.firstTokenMs, present(traffic.map((m) => m.ttftMs)));
    const lags = present(traffic.map((m) => m.lagMs));
    expect(body.backgroundLagMs.count).toBe(lags.length);
    expectPercentiles(body.backgroundLagMs, lags);

    // Stages by the share of visitors' time they took, largest first. A background stage is timed by its
    // run's record, and these runs record none (metrics.test covers those): only the visitor-path stages.
    const spans = traffic.flatMap((m) => m.stages.filter((s) => s.mode !== "background"));
    const dayTotal = sum(traffic.map((m) => m.totalMs));
    const keys = [...new Set(spans.map((s) => `${s.name}|${s.mode}`))];
    const expected = keys
      .map((key) => {
        const mine = spans.filter((s) => `${s.name}|${s.mode}` === key);
        return { key, count: mine.length, failures: mine.filter((s) => !s.ok).length, p95Ms: percentileCont(mine.map((s) => s.ms), 0.95), msSum: sum(mine.map((s) => s.ms)) };
      })
      .sort((x, y) => y.msSum - x.msSum);
    expect(body.topStages.map((s) => `${s.name}|${s.mode}`)).toEqual(expected.map((e) => e.key));
    for (const [i, stage] of body.topStages.entries()) {
      expect(stage).toMatchObject({ count: expected[i]!.count, failures: expected[i]!.failures });
      expectNear(stage.p95Ms, expected[i]!.p95Ms);
      expectNear(stage.share, expected[i]!.msSum / dayTotal);
    }

    const hits = sum(traffic.map((m) => sum(Object.values(m.cacheHits!).map((c) => c.hits))));
    const misses = sum(traffic.map((m) => sum(Object.values(m.cacheHits!).map((c) => c.misses))));
    expect(body.cache).toEqual({ hits, misses, hitRate: expect.closeTo(hits / (hits + misses), 6) });

    const priced = traffic.filter((m) => typeof m.costUsd === "string");
    const usd = sum(priced.map((m) => Number(m.costUsd)));
    expectNear(body.cost.totalUsd, usd);
    expect(body.cost).toMatchObject({ pricedMessages: priced.length, unpricedMessages: traffic.filter((m) => m.costUsd === null).length });
    expectNear(body.cost.usdPerQualifiedLead, usd / 3);
    expect(body.leads).toEqual({ new: 3, captured: 2, qualified: 3 });

    const up = traffic.filter((m) => m.rating === "up").length;
    const down = traffic.filter((m) => m.rating === "down").length;
    expect(body.satisfaction).toEqual({ up, down, upRate: expect.closeTo(up / (up + down), 6) });
    expect(body.alerts.opened).toBe(2);
    expect(body.alerts.listed.map((a) => a.rule)).toEqual(["error_rate_above", "p95_total_above"]);
  });

  it("generated again: the same row, refreshed", async () => {
    const first = await generateDailyReport(stack.database.db, demo.organizationId, DAY_STR);
    const again = await generateDailyReport(stack.database.db, demo.organizationId, DAY_STR, new Date(Date.now() + 1_000));
    expect(again.id).toBe(first.id);
    expect(again.generatedAt.getTime()).toBeGreaterThan(first.generatedAt.getTime());
    expect(await stack.database.db.$count(dailyReports, and(eq(dailyReports.organizationId, demo.organizationId), eq(dailyReports.day, DAY_STR)))).toBe(1);
  });
});

describe("the reports router", () => {
  const reportCount = () => stack.database.db.$count(dailyReports);

  it("anonymous callers get UNAUTHORIZED", async () => {
    const anonymous = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN).client;
    await expectCode(anonymous.reports.list.query({}), "UNAUTHORIZED");
    await expectCode(anonymous.reports.get.query({ day: DAY_STR }), "UNAUTHORIZED");
    await expectCode(anonymous.reports.generate.mutate({}), "UNAUTHORIZED");
  });

  it("an admin generates a day's report on demand, reads it by id and by day, and lists reports newest first", async () => {
    const admin = await loggedIn();
    const generated = await admin.reports.generate.mutate({ day: DAY_STR });
    expect(generated).toMatchObject({ day: DAY_STR, body: { messages: 40, complete: true } });
    expect(await admin.reports.get.query({ id: generated.id })).toEqual(generated);
    expect(await admin.reports.get.query({ day: DAY_STR })).toEqual(generated);

    const earlier = await admin.reports.generate.mutate({ day: utcDay(now, -5) });
    expect(earlier.body).toMatchObject({ messages: 0, errorRate: null, totalMs: { p95: null } });
    const today = await admin.reports.generate.mutate({});
    expect(today).toMatchObject({ day: utcDay(new Date()), body: { complete: false } });

    const { items } = await admin.reports.list.query({});
    expect(items.map((r) => r.day)).toEqual([today.day, DAY_STR, earlier.day]);
    expect(items[1]).toMatchObject({ id: generated.id, messages: 40, alertsOpened: 2, complete: true, p95TotalMs: generated.body.totalMs.p95, costUsd: generated.body.cost.totalUsd });
    expect((await admin.reports.list.query({ limit: 1 })).items).toHaveLength(1);
  });

  it("another organization's report is NOT_FOUND, by id or by day", async () => {
    const otherAdmin = await loggedIn(OTHER_ADMIN);
    const theirs = await otherAdmin.reports.generate.mutate({ day: DAY_STR });
    expect(theirs.body.totalMs.p95).toBeGreaterThan((await (await loggedIn()).reports.get.query({ day: DAY_STR })).body.totalMs.p95!);
    const onlyTheirs = await otherAdmin.reports.generate.mutate({ day: utcDay(now, -6) });
    const admin = await loggedIn();
    await expectCode(admin.reports.get.query({ id: theirs.id }), "NOT_FOUND");
    await expectCode(admin.reports.get.query({ day: onlyTheirs.day }), "NOT_FOUND");
    expect((await admin.reports.list.query({})).items.map((r) => r.id)).not.toContain(theirs.id);
  });

  it("requests that arrive while a day's report is being generated share that generation; a later one generates anew", async () => {
    const day = utcDay(new Date(), -3);
    const first = new Date();
    // The second request names a later "now": had it generated on its own, its report would carry that time.
    const [a, b] = await Promise.all([
      generateReportNow(stack.database.db, demo.organizationId, { day }, first),
      generateReportNow(stack.database.db, demo.organizationId, { day }, new Date(first.getTime() + 5_000)),
    ]);
    expect(a.generatedAt).toBe(first.toISOString());
    expect(b).toEqual(a);
    const later = await generateReportNow(stack.database.db, demo.organizationId, { day }, new Date(first.getTime() + 10_000));
    expect(later.id).toBe(a.id);
    expect(later.generatedAt).toBe(new Date(first.getTime() + 10_000).toISOString());
  });

  it("a viewer reads reports but cannot generate one", async () => {
    const viewer = await loggedIn(VIEWER);
    expect((await viewer.reports.list.query({})).items.length).toBeGreaterThan(0);
    const before = await reportCount();
    await expectCode(viewer.reports.generate.mutate({ day: utcDay(now, -2) }), "FORBIDDEN");
    expect(await reportCount()).toBe(before);
  });

  it.each([
    ["a malformed day", { day: "2026-13-01" }],
    ["a word for a day", { day: "yesterday" }],
    ["a day that has not happened", { day: utcDay(new Date(), 1) }],
    ["a day too long ago", { day: utcDay(new Date(), -40) }],
  ])("generate with %s: BAD_REQUEST, nothing stored", async (_label, input) => {
    const admin = await loggedIn();
    const before = await reportCount();
    await expectCode(admin.reports.generate.mutate(input), "BAD_REQUEST");
    expect(await reportCount()).toBe(before);
  });

  it("get with neither a valid id nor a day: BAD_REQUEST", async () => {
    const admin = await loggedIn();
    await expectCode(admin.reports.get.query({ id: "not-a-uuid" }), "BAD_REQUEST");
    await expectCode(admin.reports.get.query({} as never), "BAD_REQUEST");
  });
});

describe("the daily schedule", () => {
  const boss = () => stack.services.pipeline.queue!.boss;
  const organizationsWithReport = async (day: string) => (await stack.database.db.select().from(dailyReports).where(eq(dailyReports.day, day))).map((r) => r.organizationId).sort();

  it("is registered in the worker role: every day at 00:05 UTC", async () => {
    expect(await boss().getSchedules()).toEqual([expect.objectContaining({ name: "reports-daily", cron: "5 0 * * *", timezone: "UTC" })]);
  });

  it("its job reports the day before for every organization", async () => {
    const all = (await stack.database.db.select({ id: organizations.id }).from(organizations)).map((o) => o.id).sort();
    const before = utcDay(new Date(), -1);
    await boss().send("reports-daily", {});
    const after = utcDay(new Date(), -1);
    await expect.poll(async () => (await organizationsWithReport(before)).length + (before === after ? 0 : (await organizationsWithReport(after)).length), { timeout: 20_000 }).toBe(all.length);

    // A given day, too (to fill a gap by hand).
    await boss().send("reports-daily", { day: DAY_STR });
    await expect.poll(() => organizationsWithReport(DAY_STR), { timeout: 20_000 }).toEqual(all);
    const [report] = await stack.database.db.select().from(dailyReports).where(and(eq(dailyReports.organizationId, demo.organizationId), eq(dailyReports.day, DAY_STR)));
    expect((report!.body as DailyReportBody).messages).toBe(40);
  });
});
