import { eq, getTableName, is } from "drizzle-orm";
import { PgTable, type AnyPgColumn } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import * as schema from "./schema/index";
import { createTestDatabase, type TestDatabase } from "./testing/index";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("schema", () => {
  it("every table round-trips a row", async () => {
    const { db } = database;
    const seen = new Set<string>();
    // Inserts a row, reads it back by id, and checks every given value survived.
    async function roundTrip<T extends PgTable & { id: AnyPgColumn }>(
      table: T,
      values: T["$inferInsert"],
    ): Promise<T["$inferSelect"]> {
      const [inserted] = (await db.insert(table).values(values).returning()) as T["$inferSelect"][];
      const [read] = (await db.select().from(table as PgTable).where(eq(table.id, (inserted as { id: string }).id))) as T["$inferSelect"][];
      expect(read).toMatchObject(values as object);
      seen.add(getTableName(table));
      return read as T["$inferSelect"];
    }

    const org = await roundTrip(schema.organizations, { name: "Acme", slug: "acme" });
    const organizationId = org.id;
    const site = await roundTrip(schema.sites, {
      organizationId,
      name: "Acme site",
      publicKey: "acme-key",
      allowedOrigins: ["https://acme.example", "http://localhost:3000"],
      theme: { title: "Talk to Acme", primaryColor: "#ff0000", position: "bottom-left" },
      greeting: "Hello",
      systemPrompt: "Be helpful",
      qualificationSettings: { qualifiedScore: 50, hotScore: 75 },
    });
    const admin = await roundTrip(schema.adminUsers, { organizationId, email: "a@acme.example", role: "admin", passwordHash: "x" });
    await roundTrip(schema.auditLog, {
      organizationId,
      actorType: "admin",
      actorId: admin.id,
      action: "flag.rollout",
      targetType: "flag",
      targetId: "pipeline.parallel",
      reason: "step up",
      details: { from: 10, to: 50 },
    });
    const visitor = await roundTrip(schema.visitors, { organizationId, siteId: site.id, externalId: "v-1" });
    const session = await roundTrip(schema.chatSessions, { organizationId, siteId: site.id, visitorId: visitor.id });
    const userMessage = await roundTrip(schema.chatMessages, {
      organizationId,
      sessionId: session.id,
      role: "user",
      content: "Hi, I'm Ana — ana@example.com 🚀",
      clientMessageId: "c-1",
    });
    const answer = await roundTrip(schema.chatMessages, {
      organizationId,
      sessionId: session.id,
      role: "assistant",
      content: "Hello Ana",
      status: "partial",
      replyToId: userMessage.id,
      model: "gpt-4o-mini",
      promptTokens: 120,
      cachedPromptTokens: 64,
      completionTokens: 9,
      usageEstimated: true,
    });
    await roundTrip(schema.feedback, { organizationId, sessionId: session.id, messageId: answer.id, rating: "up", comment: "quick" });
    await roundTrip(schema.leads, {
      organizationId,
      siteId: site.id,
      sessionId: session.id,
      visitorId: visitor.id,
      status: "qualified",
      score: 72,
      scoreBreakdown: [{ factor: "email", points: 20, reason: "work email given" }],
      contactInfo: { name: "Ana", email: "ana@example.com" },
      signals: { budget: "$20k", timeline: "Q3" },
    });
    await roundTrip(schema.modelRates, { model: "test-model", inputPerMillion: "0.150000", cachedInputPerMillion: "0.075000", outputPerMillion: "0.600000" });
    await roundTrip(schema.messageCosts, {
      organizationId,
      messageId: answer.id,
      model: "gpt-4o-mini",
      inputTokens: 120,
      cachedInputTokens: 64,
      outputTokens: 9,
      priced: true,
      costUsd: "0.00001860",
      breakdown: { input: "0.0000084", cachedInput: "0.0000048", output: "0.0000054" },
    });
    await roundTrip(schema.requestTimings, {
      organizationId,
      siteId: site.id,
      sessionId: session.id,
      messageId: answer.id,
      timeToFirstTokenMs: 912.5,
      llmMs: 3700,
      totalMs: 3712.25,
      criticalPostMs: 4.5,
      dbMs: 2.25,
      stages: [{ name: "save", mode: "inline", ms: 4.5, ok: true }],
      flags: { "pipeline.parallel": true },
      complexity: "moderate",
      cacheHits: { siteConfig: { hits: 1, misses: 0 } },
    });
    await roundTrip(schema.alerts, { organizationId, rule: "p95_total_above", severity: "warning", message: "p95 above 5 s" });
    await roundTrip(schema.alertRules, { organizationId, kind: "error_rate_above", threshold: 0.05, forMinutes: 15, enabled: false, updatedBy: admin.id });
    await roundTrip(schema.dailyReports, { organizationId, day: "2026-03-01", body: { version: 1, messages: 12 } });
    const endpoint = await roundTrip(schema.webhookEndpoints, {
      organizationId,
      url: "https://hooks.acme.example/leadline",
      secret: "whsec_dGVzdA==",
      eventTypes: ["lead.qualified"],
    });
    await roundTrip(schema.webhookDeliveries, {
      organizationId,
      endpointId: endpoint.id,
      eventId: "evt_1",
      eventType: "lead.qualified",
      payload: { leadId: "l-1" },
    });

    await roundTrip(schema.outboxEvents, {
      organizationId,
      type: "lead.captured",
      messageId: answer.id,
      payload: { leadId: "l-1" },
    });
    await roundTrip(schema.analyticsEvents, { organizationId, sessionId: session.id, messageId: answer.id, name: "message.replied", properties: { complexity: "simple" } });
    const [run] = await db
      .insert(schema.backgroundRuns)
      .values({ messageId: answer.id, organizationId, lagMs: 120.5, stages: [{ name: "calculate-cost", ms: 2.5, ok: true }], attempts: 2 })
      .returning();
    expect(run).toMatchObject({ lagMs: 120.5, attempts: 2, stages: [{ name: "calculate-cost", ms: 2.5, ok: true }] });
    seen.add("background_runs");
    await roundTrip(schema.adminSessions, { id: "a".repeat(64), organizationId, adminUserId: admin.id, expiresAt: new Date(Date.now() + 3_600_000), userAgent: "Firefox" });
    const [throttle] = await db.insert(schema.loginThrottles).values({ scope: "email", key: "a@acme.example", failures: 2 }).returning();
    expect(throttle).toMatchObject({ scope: "email", key: "a@acme.example", failures: 2, lockedUntil: null });
    seen.add("login_throttles");
    const [limit] = await db.insert(schema.rateLimits).values({ key: "send:session:s-1", points: 3, expire: new Date(Date.now() + 60_000) }).returning();
    expect(limit).toMatchObject({ key: "send:session:s-1", points: 3 });
    seen.add("rate_limits");
    const [spend] = await db.insert(schema.siteSpend).values({ siteId: site.id, organizationId, day: "2026-03-01", reservedUsd: "0.0012", spentUsd: "0.5" }).returning();
    expect(spend).toMatchObject({ day: "2026-03-01", reservedUsd: "0.00120000", spentUsd: "0.50000000" });
    seen.add("site_spend");
    const minute = new Date("2026-03-01T10:05:00Z");
    const [refusals] = await db.insert(schema.refusalCounts).values({ siteId: site.id, organizationId, minute, reason: "rate_limited", count: 3 }).returning();
    expect(refusals).toMatchObject({ minute, reason: "rate_limited", count: 3 });
    seen.add("refusal_counts");

    const allTables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => is(v, PgTable)).map((t) => getTableName(t));
    expect([...seen].sort()).toEqual([...new Set(allTables)].sort());
  });

  it("alert rules: a positive threshold, a window for every kind but the daily cost; one open alert per rule", async () => {
    const { db } = database;
    const [org] = await db.insert(schema.organizations).values({ name: "Rules", slug: "rules" }).returning();
    const organizationId = org!.id;
    const refusedBy = (constraint: string) => ({ cause: { constraint_name: constraint } });
    await expect(db.insert(schema.alertRules).values({ organizationId, kind: "p95_total_above", threshold: 0, forMinutes: 5 })).rejects.toMatchObject(refusedBy("alert_rules_threshold_positive"));
    await expect(db.insert(schema.alertRules).values({ organizationId, kind: "p95_total_above", threshold: 8000, forMinutes: null })).rejects.toMatchObject(refusedBy("alert_rules_window"));
    await expect(db.insert(schema.alertRules).values({ organizationId, kind: "daily_cost_above", threshold: 50, forMinutes: 60 })).rejects.toMatchObject(refusedBy("alert_rules_window"));
    await db.insert(schema.alertRules).values({ organizationId, kind: "daily_cost_above", threshold: 50, forMinutes: null });
    await expect(db.insert(schema.alertRules).values({ organizationId, kind: "daily_cost_above", threshold: 60, forMinutes: null })).rejects.toMatchObject(refusedBy("alert_rules_org_kind_key"));

    const open = { organizationId, rule: "error_rate_above", severity: "warning" as const, message: "errors" };
    await db.insert(schema.alerts).values(open);
    await expect(db.insert(schema.alerts).values(open)).rejects.toMatchObject(refusedBy("alerts_open_rule_key"));
    await db.insert(schema.alerts).values({ ...open, endedAt: new Date() });
  });

  it("a resent client message id is refused by the database, not stored twice", async () => {
    const { db } = database;
    const [session] = await db.select().from(schema.chatSessions).limit(1);
    if (!session) throw new Error("needs the session of the first test");
    const row = { organizationId: session.organizationId, sessionId: session.id, role: "user" as const, content: "again", clientMessageId: "dup" };
    await db.insert(schema.chatMessages).values(row);
    await expect(db.insert(schema.chatMessages).values(row)).rejects.toMatchObject({ cause: { constraint_name: "chat_messages_session_client_key" } });
  });
});
