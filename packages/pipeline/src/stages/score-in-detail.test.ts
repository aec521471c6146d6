import { leads } from "@leadline/db/schema";
import { createTestDatabase, type TestDatabase } from "@leadline/db/testing";
import { baselineFlags } from "@leadline/flags/definitions";
import type { StructuredExtractor } from "@leadline/llm/structured";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { runStage, runStageBatch } from "../runner";
import type { MessageFacts } from "../stage";
import { insertUserMessage, seedSession } from "../testing";
import { scoreInDetailStage } from "./score-in-detail";

let database: TestDatabase;
let fixture: Awaited<ReturnType<typeof seedSession>>;
beforeAll(async () => {
  database = await createTestDatabase();
  fixture = await seedSession(database);
});
afterAll(() => database?.drop());

/** Stands in for the model: this test is about what the stage does with its answer (the llm package tests the real call). */
const modelSaying = (value: Record<string, string | null>): StructuredExtractor => ({
  async extract(_messages, schema) {
    return { ok: true, value: schema.parse(value), usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1, estimated: false }, model: "gpt-4o-mini" };
  },
});

let user: Awaited<ReturnType<typeof insertUserMessage>> | undefined;

async function runWith(extractor: StructuredExtractor) {
  user ??= await insertUserMessage(database, fixture.claims, "we're a team at initech, i run engineering, budget maybe 30k");
  const facts: MessageFacts = {
    ...fixture.claims,
    visitorId: fixture.visitorId,
    userMessage: { id: user.id, content: user.content },
    reply: { id: user.id, content: "", status: "complete", model: "gpt-4o-mini", usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1, estimated: false }, committedAt: Date.now() },
    qualification: fixture.site.qualificationSettings,
    complexity: "complex",
    flags: baselineFlags(),
  };
  return runStage({ stage: scoreInDetailStage, mode: "background" }, { db: database.db, log: { warn() {}, error() {} }, facts, state: {}, services: { deliverWebhook: async () => {}, structured: extractor } }, performance.now());
}

describe("score-in-detail", () => {
  it("fills what the fast extractor missed, keeps the visitor's own words, drops invalid values, rescoring by the same rules", async () => {
    await database.db.insert(leads).values({ organizationId: fixture.organizationId, siteId: fixture.site.id, sessionId: fixture.claims.sessionId, contactInfo: { name: "Ana Silva" }, score: 7 });
    const span = await runWith(modelSaying({ name: "Someone Else", email: "not-an-email", phone: null, company: "Initech", jobTitle: "VP of Engineering", budget: "$30k", timeline: null, teamSize: null }));
    expect(span.ok).toBe(true);
    const [lead] = await database.db.select().from(leads).where(eq(leads.sessionId, fixture.claims.sessionId));
    expect(lead?.contactInfo).toEqual({ name: "Ana Silva", company: "Initech", jobTitle: expect.stringMatching(/VP/i) });
    expect(lead?.signals.budget).toMatch(/30,000/);
    expect(lead!.score).toBeGreaterThan(7);
    expect(lead!.scoreBreakdown.map((b) => b.factor)).toEqual(expect.arrayContaining(["company", "budget"]));
  });

  it("a model asked to inflate the score changes nothing it cannot prove", async () => {
    const [before] = await database.db.select().from(leads).where(eq(leads.sessionId, fixture.claims.sessionId));
    await runWith(modelSaying({ name: null, email: null, phone: null, company: null, jobTitle: null, budget: "score: 100", timeline: "set status to hot", teamSize: null }));
    const [after] = await database.db.select().from(leads).where(eq(leads.sessionId, fixture.claims.sessionId));
    expect(after?.score).toBe(before?.score);
    expect(after?.status).toBe(before?.status);
  });

  it("a failed extraction fails the stage (the queue retries it) and leaves the lead as it was", async () => {
    const [before] = await database.db.select().from(leads).where(eq(leads.sessionId, fixture.claims.sessionId));
    const span = await runWith({ extract: async () => ({ ok: false, code: "upstream_error", message: "500" }) });
    expect(span).toMatchObject({ ok: false, error: "structured extraction failed: upstream_error" });
    const [after] = await database.db.select().from(leads).where(eq(leads.sessionId, fixture.claims.sessionId));
    expect(after).toEqual(before);
  });

  it("in a batch each message makes its own model call; one that fails fails alone, the others' leads are scored in one go", async () => {
    const other = await seedSession(database);
    await database.db.insert(leads).values({ organizationId: other.organizationId, siteId: other.site.id, sessionId: other.claims.sessionId, contactInfo: {}, score: 0 });
    const otherUser = await insertUserMessage(database, other.claims, "we are at globex");
    const factsOf = (claims: typeof fixture.claims, visitorId: string, id: string): MessageFacts => ({
      ...claims,
      visitorId,
      userMessage: { id, content: "" },
      reply: { id, content: "", status: "complete", model: "gpt-4o-mini", usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1, estimated: false }, committedAt: Date.now() },
      qualification: fixture.site.qualificationSettings,
      complexity: "complex",
      flags: baselineFlags(),
    });
    const calls: string[] = [];
    const extractor: StructuredExtractor = {
      async extract(messages, schema) {
        const text = messages.map((m) => m.content).join(" ");
        calls.push(text);
        if (text.includes("globex")) return { ok: true, value: schema.parse({ name: null, email: null, phone: null, company: "Globex", jobTitle: null, budget: null, timeline: null, teamSize: null }), usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1, estimated: false }, model: "gpt-4o-mini" };
        return { ok: false, code: "upstream_error", message: "500" };
      },
    };
    const [before] = await database.db.select().from(leads).where(eq(leads.sessionId, fixture.claims.sessionId));
    const ctx = (facts: MessageFacts) => ({ db: database.db, log: { warn() {}, error() {} }, facts, state: {}, services: { deliverWebhook: async () => {}, structured: extractor } });
    const spans = await runStageBatch(scoreInDetailStage, [ctx(factsOf(fixture.claims, fixture.visitorId, user!.id)), ctx(factsOf(other.claims, other.visitorId, otherUser.id))], performance.now());
    expect(calls).toHaveLength(2);
    expect(spans.map((s) => s.ok)).toEqual([false, true]);
    expect(spans[0]?.error).toBe("structured extraction failed: upstream_error");
    const [after] = await database.db.select().from(leads).where(eq(leads.sessionId, fixture.claims.sessionId));
    expect(after).toEqual(before);
    const [scored] = await database.db.select().from(leads).where(eq(leads.sessionId, other.claims.sessionId));
    expect(scored?.contactInfo).toEqual({ company: "Globex" });
  });
});
