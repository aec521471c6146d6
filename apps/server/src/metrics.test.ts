import { hashPassword } from "@leadline/db/password";
import { adminUsers, backgroundRuns, chatMessages, chatSessions, feedback, leads, messageCosts, organizations, requestTimings, sites, visitors, type StageTiming } from "@leadline/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { adminBrowser, expectCode, startTestStack, TEST_ADMIN, type TestStack } from "./testing";

const ADMIN_ORIGIN = "http://localhost:3001";
const SEC = 1_000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WINDOWS = { "5m": 5 * MIN, "1h": HOUR, "24h": DAY, "7d": 7 * DAY } as const;
type Window = keyof typeof WINDOWS;

/** Postgres' percentile_cont: linear interpolation between the two nearest ranks; null without values. */
function percentileCont(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}
function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const rate = (a: number, b: number) => (b > 0 ? a / b : null);

function expectNear(actual: number | null | undefined, expected: number | null) {
  if (expected === null) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(expected, 6);
}

/** Ages: 8 in the last 5 minutes, then 10 in the hour, 10 in the day, 8 in the week, and 5 older than every window. */
const AGES = [
  ...Array.from({ length: 8 }, (_, i) => 20 * SEC + i * 20 * SEC),
  ...Array.from({ length: 10 }, (_, i) => 10 * MIN + i * 4 * MIN),
  ...Array.from({ length: 10 }, (_, i) => 2 * HOUR + i * 2 * HOUR),
  ...Array.from({ length: 8 }, (_, i) => 2 * DAY + i * 12 * HOUR),
  ...Array.from({ length: 5 }, (_, i) => 8 * DAY + i * 3 * DAY),
];

/** Deterministic, varied values; `scale` and `tag` make the other organization's data unmistakable. */
function dataset(now: number, scale: number, tag: string) {
  return AGES.map((ageMs, i) => {
    const total = scale * (500 + ((i * 389) % 97) * 31);
    const background = i % 2 === 0;
    const stages: StageTiming[] = [
      { name: "lookups", mode: "parallel", ms: 10 + (i % 4) * 5, ok: true },
      { name: "save-reply", mode: "inline", ms: 3 + (i % 3), ok: true },
      { name: `qualify-lead${tag}`, mode: background ? "background" : "inline", ms: background ? 0 : 40 + i, ok: i % 3 !== 0 },
    ];
    return {
      ageMs,
      createdAt: new Date(now - ageMs),
      total,
      ttft: i % 6 === 0 ? null : scale * (100 + ((i * 53) % 41) * 7),
      llm: total - 200,
      critical: 5 + ((i * 7) % 30),
      failed: i % 5 === 0,
      stages,
      flags: { "pipeline.cache": i % 2 === 0, [`pipeline.background${tag}`]: i % 3 !== 0 },
      cacheHits: { [`site${tag}`]: { hits: i % 3, misses: 1 }, rates: { hits: 2, misses: i % 2 } },
      lagMs: i % 4 === 0 ? null : scale * (100 + i * 13),
      /** What its background run recorded (when it has one): the background stage's own duration. */
      backgroundStages: background ? [{ name: `qualify-lead${tag}`, ms: 30 + ((i * 17) % 50), ok: i % 3 !== 0 }] : [],
      cost: i % 2 === 0 ? { model: i % 4 === 0 ? "gpt-4o-mini" : "gpt-4o", usd: (0.001 * scale * (i + 1)).toFixed(8) } : i % 10 === 3 ? { model: "mystery-model", usd: null } : null,
      rating: i % 3 === 0 ? ("up" as const) : i % 3 === 1 ? ("down" as const) : null,
    };
  });
}
/** One message's timing row as seeded, with what hangs off its message. */
type Seeded = ReturnType<typeof dataset>[number];

/** Leads by status and age: two count as qualified in 24h, three in 7d. */
const LEADS = [
  { status: "qualified", ageMs: 10 * MIN },
  { status: "new", ageMs: 20 * MIN },
  { status: "hot", ageMs: 3 * HOUR },
  { status: "qualified", ageMs: 3 * DAY },
  { status: "hot", ageMs: 10 * DAY },
] as const;

let stack: TestStack;
const now = Date.now();
const demo = dataset(now, 1, "");
const other = dataset(now, 100, "-other");
const OTHER_ADMIN = { email: "admin@other.example", password: "password-of-other" };

async function seed(organizationId: string, siteId: string, rows: Seeded[]) {
  const db = stack.database.db;
  const [visitor] = await db.insert(visitors).values({ organizationId, siteId }).returning();
  const sessions = await db.insert(chatSessions).values(Array.from({ length: LEADS.length + 1 }, () => ({ organizationId, siteId, visitorId: visitor!.id }))).returning();
  const sessionId = sessions[0]!.id;
  const messages = await db.insert(chatMessages).values(rows.map((r, i) => ({ organizationId, sessionId, role: "assistant" as const, content: `answer ${i}`, createdAt: r.createdAt }))).returning();
  const each = rows.map((r, i) => ({ r, organizationId, messageId: messages[i]!.id, createdAt: r.createdAt }));
  await db.insert(requestTimings).values(
    each.map(({ r, ...row }) => ({ ...row, siteId, sessionId, timeToFirstTokenMs: r.ttft, llmMs: r.llm, totalMs: r.total, criticalPostMs: r.critical, stages: r.stages, flags: r.flags, cacheHits: r.cacheHits, outcome: r.failed ? "failed" : "complete" })),
  );
  await db.insert(backgroundRuns).values(each.flatMap(({ r, messageId }) => (r.lagMs === null ? [] : [{ organizationId, messageId, lagMs: r.lagMs, stages: r.backgroundStages }])));
  await db.insert(messageCosts).values(
    each.flatMap(({ r, ...row }, i) => (r.cost ? [{ ...row, model: r.cost.model, inputTokens: 100 + i, cachedInputTokens: 0, outputTokens: 20 + i, priced: r.cost.usd !== null, costUsd: r.cost.usd }] : [])),
  );
  await db.insert(feedback).values(each.flatMap(({ r, ...row }) => (r.rating ? [{ ...row, sessionId, rating: r.rating }] : [])));
  await db.insert(leads).values(LEADS.map((l, i) => ({ organizationId, siteId, sessionId: sessions[i + 1]!.id, status: l.status, score: 50 + i, updatedAt: new Date(now - l.ageMs) })));
}

beforeAll(async () => {
  stack = await startTestStack();
  const db = stack.database.db;
  const [demoSite] = await db.select().from(sites).where(eq(sites.organizationId, stack.organizationId));
  const [org] = await db.insert(organizations).values({ name: "Other", slug: "other" }).returning();
  const [otherSite] = await db.insert(sites).values({ ...demoSite!, id: undefined, organizationId: org!.id, publicKey: "other" }).returning();
  await db.insert(adminUsers).values({ organizationId: org!.id, email: OTHER_ADMIN.email, role: "viewer", passwordHash: await hashPassword(OTHER_ADMIN.password) });
  await seed(stack.organizationId, demoSite!.id, demo);
  await seed(org!.id, otherSite!.id, other);
});
afterAll(() => stack?.stop());

async function loggedIn(login = TEST_ADMIN) {
  const browser = adminBrowser(stack.url, ADMIN_ORIGIN, login);
  await browser.logIn();
  return browser.client;
}


const inWindow = (rows: Seeded[], window: Window) => rows.filter((r) => r.ageMs < WINDOWS[window]);
const values = (rows: Seeded[], of: (r: Seeded) => number | null) => rows.map(of).filter((v): v is number => v !== null);
const errorRate = (rows: Seeded[]) => rate(rows.filter((r) => r.failed).length, rows.length);

/** A reported p50/p95 (and p99 when reported) against percentileCont of the rows it covers. */
function expectPercentiles(got: { p50: number | null; p95: number | null; p99?: number | null }, rows: Seeded[], of: (r: Seeded) => number | null) {
  const sample = values(rows, of);
  expectNear(got.p50, percentileCont(sample, 0.5));
  expectNear(got.p95, percentileCont(sample, 0.95));
  if ("p99" in got) expectNear(got.p99 ?? null, percentileCont(sample, 0.99));
}

describe("metrics.summary", () => {
  it.each(Object.keys(WINDOWS) as Window[])("%s: count, percentiles, background lag and error rate of exactly the window's messages", async (window) => {
    const admin = await loggedIn();
    const rows = inWindow(demo, window);
    const got = await admin.metrics.summary.query({ window });
    // Every window leaves out the rows seeded before it (five are older than a week).
    expect(got.count).toBe(rows.length);
    expect(rows.length).toBeLessThanOrEqual(demo.length - 5);
    expectNear(got.errorRate, errorRate(rows));
    expectPercentiles(got.totalMs, rows, (r) => r.total);
    expectPercentiles(got.firstTokenMs, rows, (r) => r.ttft);
    expectPercentiles(got.llmMs, rows, (r) => r.llm);
    expectPercentiles(got.criticalPostMs, rows, (r) => r.critical);
    expectPercentiles(got.backgroundLag, rows, (r) => r.lagMs);
    expect(got.backgroundLag.count).toBe(values(rows, (r) => r.lagMs).length);
  });
});

describe("metrics.stages", () => {
  it("per stage and mode: count, p50/p95, failures and share of the total; background stages timed by their own runs", async () => {
    const admin = await loggedIn();
    for (const window of ["1h", "7d"] as const) {
      const rows = inWindow(demo, window);
      const got = await admin.metrics.stages.query({ window });
      const windowTotal = sum(rows.map((r) => r.total));
      expect(got.totalMs).toBeCloseTo(windowTotal, 6);
      // A background stage's entry in the reply's timings is a 0 ms placeholder: its duration is its run's.
      const spans = [
        ...rows.flatMap((r) => r.stages.filter((s) => s.mode !== "background")),
        ...rows.flatMap((r) => (r.lagMs === null ? [] : r.backgroundStages.map((s) => ({ ...s, mode: "background" })))),
      ];
      expect(spans.some((s) => s.mode === "background")).toBe(true);
      const keys = [...new Set(spans.map((s) => `${s.name}|${s.mode}`))];
      expect(got.stages.map((s) => `${s.name}|${s.mode}`).sort()).toEqual(keys.sort());
      for (const stage of got.stages) {
        const mine = spans.filter((s) => s.name === stage.name && s.mode === stage.mode);
        expect(stage.count).toBe(mine.length);
        expect(stage.failures).toBe(mine.filter((s) => !s.ok).length);
        expectNear(stage.p50Ms, percentileCont(mine.map((s) => s.ms), 0.5));
        expectNear(stage.p95Ms, percentileCont(mine.map((s) => s.ms), 0.95));
        expectNear(stage.share, stage.mode === "background" ? 0 : sum(mine.map((s) => s.ms)) / windowTotal);
      }
    }
  });
});

describe("metrics.timeseries", () => {
  const cases = [
    { window: "24h", bucket: "1h", ms: HOUR, points: 25 },
    { window: "1h", bucket: "1m", ms: MIN, points: 61 },
  ] as const;
  it.each(cases)("$window by $bucket: every bucket present, each matching its own messages", async ({ window, bucket, ms, points }) => {
    const admin = await loggedIn();
    const got = await admin.metrics.timeseries.query({ window, bucket });
    expect(got.points).toHaveLength(points);
    const rows = inWindow(demo, window);
    const byBucket = groupBy(rows, (r) => new Date(Math.floor(r.createdAt.getTime() / ms) * ms).toISOString());
    expect(sum(got.points.map((p) => p.count))).toBe(rows.length);
    for (const point of got.points) {
      const mine = byBucket.get(point.at) ?? [];
      expect(point.count, point.at).toBe(mine.length);
      expectPercentiles(point.totalMs, mine, (r) => r.total);
      expectPercentiles(point.firstTokenMs, mine, (r) => r.ttft);
      expectNear(point.errorRate, mine.length ? errorRate(mine) : null);
    }
    expect(got.points.map((p) => p.at)).toEqual([...got.points.map((p) => p.at)].sort());
  });

  it("too many points, an unknown window or bucket: BAD_REQUEST", async () => {
    const admin = await loggedIn();
    await expectCode(admin.metrics.timeseries.query({ window: "7d", bucket: "1m" }), "BAD_REQUEST");
    await expectCode(admin.metrics.timeseries.query({ window: "1h", bucket: "1s" as never }), "BAD_REQUEST");
    await expectCode(admin.metrics.timeseries.query({ window: "30d" as never, bucket: "1h" }), "BAD_REQUEST");
    await expectCode(admin.metrics.summary.query({ window: "30d" as never }), "BAD_REQUEST");
    await expectCode(admin.metrics.costs.query({} as never), "BAD_REQUEST");
  });
});

describe("metrics.cohorts and metrics.caches", () => {
  it("per flag, enabled against control: counts and p50/p95 of total and first token", async () => {
    const admin = await loggedIn();
    const rows = inWindow(demo, "24h");
    const got = await admin.metrics.cohorts.query({ window: "24h" });
    expect(got.flags.map((f) => f.flag).sort()).toEqual(["pipeline.background", "pipeline.cache"]);
    for (const { flag, enabled, control } of got.flags) {
      for (const [stats, on] of [[enabled, true], [control, false]] as const) {
        const cohort = rows.filter((r) => r.flags[flag] === on);
        expect(stats.count).toBe(cohort.length);
        expectPercentiles(stats.totalMs, cohort, (r) => r.total);
        expectPercentiles(stats.firstTokenMs, cohort, (r) => r.ttft);
        expectNear(stats.errorRate, errorRate(cohort));
      }
    }
  });

  it("per cache namespace: hits, misses and hit rate", async () => {
    const admin = await loggedIn();
    const rows = inWindow(demo, "1h");
    const got = await admin.metrics.caches.query({ window: "1h" });
    expect(got.namespaces.map((n) => n.namespace)).toEqual(["rates", "site"]);
    for (const n of got.namespaces) {
      const hits = sum(rows.map((r) => r.cacheHits[n.namespace]!.hits));
      const misses = sum(rows.map((r) => r.cacheHits[n.namespace]!.misses));
      expect(n).toEqual({ namespace: n.namespace, hits, misses, hitRate: expect.closeTo(hits / (hits + misses), 6) });
    }
  });
});

describe("metrics.costs and metrics.satisfaction", () => {
  it("total of priced replies, unpriced counted apart, by UTC day, by model, and per qualified lead", async () => {
    const admin = await loggedIn();
    for (const [window, qualifiedLeads] of [["24h", 2], ["7d", 3], ["5m", 0]] as const) {
      const rows = inWindow(demo, window).filter((r) => r.cost !== null);
      const priced = rows.filter((r) => r.cost!.usd !== null);
      const usdOf = (list: Seeded[]) => sum(list.map((r) => Number(r.cost!.usd)));
      const got = await admin.metrics.costs.query({ window });
      expectNear(got.totalUsd, usdOf(priced));
      expect(got.pricedMessages).toBe(priced.length);
      expect(got.unpricedMessages).toBe(rows.length - priced.length);
      expect(got.qualifiedLeads).toBe(qualifiedLeads);
      expectNear(got.usdPerQualifiedLead, qualifiedLeads ? usdOf(priced) / qualifiedLeads : null);

      const days = groupBy(rows, (r) => r.createdAt.toISOString().slice(0, 10));
      expect(got.byDay.map((d) => d.day)).toEqual([...days.keys()].sort());
      for (const d of got.byDay) {
        expectNear(d.usd, usdOf(days.get(d.day)!.filter((r) => r.cost!.usd !== null)));
        expect(d.pricedMessages + d.unpricedMessages).toBe(days.get(d.day)!.length);
      }
      const models = groupBy(rows, (r) => r.cost!.model);
      expect(got.byModel.map((m) => m.model).sort()).toEqual([...models.keys()].sort());
      for (const m of got.byModel) {
        expectNear(m.usd, usdOf(models.get(m.model)!.filter((r) => r.cost!.usd !== null)));
        expect(m.unpricedMessages).toBe(m.model === "mystery-model" ? models.get(m.model)!.length : 0);
      }
      expect(got.byModel.map((m) => m.usd)).toEqual([...got.byModel.map((m) => m.usd)].sort((a, b) => b - a));
    }
  });

  it("thumbs up and down of the window, and the share up", async () => {
    const admin = await loggedIn();
    for (const window of Object.keys(WINDOWS) as Window[]) {
      const rows = inWindow(demo, window);
      const up = rows.filter((r) => r.rating === "up").length;
      const down = rows.filter((r) => r.rating === "down").length;
      const got = await admin.metrics.satisfaction.query({ window });
      expect(got).toEqual({ window, up, down, upRate: up + down ? expect.closeTo(up / (up + down), 6) : null });
    }
  });
});

describe("metrics: who may see what", () => {
  it("anonymous callers get UNAUTHORIZED from every procedure", async () => {
    const anonymous = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN).client;
    const [m, input] = [anonymous.metrics, { window: "1h" } as const];
    const calls = [m.summary, m.stages, m.cohorts, m.caches, m.costs, m.satisfaction].map((p) => p.query(input));
    for (const call of [...calls, m.timeseries.query({ ...input, bucket: "1m" })]) await expectCode(call, "UNAUTHORIZED");
  });

  it("each organization's admin sees only its own organization's numbers", async () => {
    for (const [login, mine, tag, theirs] of [
      [TEST_ADMIN, demo, "", "-other"],
      [OTHER_ADMIN, other, "-other", ""],
    ] as const) {
      const admin = await loggedIn(login);
      const rows = inWindow(mine, "24h");
      const summary = await admin.metrics.summary.query({ window: "24h" });
      expect(summary.count).toBe(rows.length);
      expectNear(summary.totalMs.p95, percentileCont(values(rows, (r) => r.total), 0.95));
      const stages = await admin.metrics.stages.query({ window: "24h" });
      expect(stages.stages.map((s) => s.name)).toContain(`qualify-lead${tag}`);
      expect(stages.stages.map((s) => s.name)).not.toContain(`qualify-lead${theirs}`);
      const cohorts = await admin.metrics.cohorts.query({ window: "24h" });
      expect(cohorts.flags.map((f) => f.flag)).not.toContain(`pipeline.background${theirs}`);
      expect(cohorts.flags.find((f) => f.flag === "pipeline.cache")?.enabled.count).toBe(rows.filter((r) => r.flags["pipeline.cache"]).length);
      const caches = await admin.metrics.caches.query({ window: "24h" });
      expect(caches.namespaces.map((n) => n.namespace).sort()).toEqual(["rates", `site${tag}`]);
      const timeseries = await admin.metrics.timeseries.query({ window: "24h", bucket: "1h" });
      expect(sum(timeseries.points.map((p) => p.count))).toBe(rows.length);
      const costs = await admin.metrics.costs.query({ window: "24h" });
      expectNear(costs.totalUsd, sum(rows.filter((r) => r.cost?.usd).map((r) => Number(r.cost!.usd))));
      expect(costs.qualifiedLeads).toBe(2);
      const satisfaction = await admin.metrics.satisfaction.query({ window: "24h" });
      expect(satisfaction.up).toBe(rows.filter((r) => r.rating === "up").length);
    }
  });
});
