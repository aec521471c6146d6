import { hashPassword } from "@leadline/db/password";
import { adminUsers, chatSessions, leads, organizations, sites, visitors } from "@leadline/db/schema";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { adminBrowser, expectCode, startTestStack, TEST_ADMIN, type TestStack } from "./testing";

const ADMIN_ORIGIN = "http://localhost:3001";
const OTHER_ADMIN = { email: "admin@other.example", password: "password-of-other" };
type Status = "new" | "engaged" | "qualified" | "hot";

let stack: TestStack;
let otherLeadId: string;
/** The demo organization's leads, newest update first, as the list must return them. */
let expected: { id: string; status: Status }[] = [];

/** One lead per new session; `micros` back from an hour ago, so several share a millisecond. */
async function addLead(organizationId: string, siteId: string, lead: { status: Status; score: number; micros: number; email?: string }) {
  const db = stack.database.db;
  const [visitor] = await db.insert(visitors).values({ organizationId, siteId }).returning();
  const [session] = await db.insert(chatSessions).values({ organizationId, siteId, visitorId: visitor!.id }).returning();
  const [row] = await db
    .insert(leads)
    .values({
      organizationId,
      siteId,
      sessionId: session!.id,
      visitorId: visitor!.id,
      status: lead.status,
      score: lead.score,
      scoreBreakdown: [{ factor: "email", points: lead.score, reason: "left a work email" }],
      contactInfo: { name: "Ana", email: lead.email ?? "ana@globex.example", company: "Globex" },
      signals: { budget: "50k" },
      updatedAt: sql`timestamptz '2030-01-01T00:00:00Z' - ${lead.micros} * interval '1 microsecond'`,
    })
    .returning();
  return row!;
}

beforeAll(async () => {
  stack = await startTestStack();
  const db = stack.database.db;
  const [demoSite] = await db.select().from(sites).where(eq(sites.organizationId, stack.organizationId));
  const statuses: Status[] = ["new", "engaged", "qualified", "hot", "qualified", "new", "hot", "engaged", "qualified", "hot", "new"];
  // Three groups of leads one microsecond apart (the same millisecond), and two exact ties.
  const micros = [0, 1, 2, 5_000, 5_001, 9_000, 9_000, 20_000, 20_001, 20_002, 50_000];
  const rows = [];
  for (const [i, status] of statuses.entries()) rows.push({ ...(await addLead(stack.organizationId, demoSite!.id, { status, score: 10 * i, micros: micros[i]! })), micros: micros[i]! });
  expected = rows.sort((a, b) => a.micros - b.micros || (a.id < b.id ? 1 : -1)).map((r) => ({ id: r.id, status: r.status }));

  const [org] = await db.insert(organizations).values({ name: "Other", slug: "other" }).returning();
  const [otherSite] = await db.insert(sites).values({ ...demoSite!, id: undefined, organizationId: org!.id, publicKey: "other" }).returning();
  await db.insert(adminUsers).values({ organizationId: org!.id, email: OTHER_ADMIN.email, role: "viewer", passwordHash: await hashPassword(OTHER_ADMIN.password) });
  otherLeadId = (await addLead(org!.id, otherSite!.id, { status: "hot", score: 99, micros: 3, email: "ceo@other.example" })).id;
});
afterAll(() => stack?.stop());

async function loggedIn(login = TEST_ADMIN) {
  const browser = adminBrowser(stack.url, ADMIN_ORIGIN, login);
  await browser.logIn();
  return browser.client;
}


type Client = Awaited<ReturnType<typeof loggedIn>>;
async function everyPage(admin: Client, input: { status?: Status; limit: number }) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page += 1) {
    const result = await admin.leads.list.query({ ...input, cursor });
    expect(result.items.length).toBeLessThanOrEqual(input.limit);
    ids.push(...result.items.map((l) => l.id));
    if (!result.nextCursor) return ids;
    cursor = result.nextCursor;
  }
  throw new Error("pagination never ended");
}

describe("leads.list", () => {
  it("newest update first, with score, status, contact, breakdown and session", async () => {
    const admin = await loggedIn();
    const { items, nextCursor } = await admin.leads.list.query({ limit: 100 });
    expect(items.map((l) => l.id)).toEqual(expected.map((l) => l.id));
    expect(nextCursor).toBeNull();
    expect(items[0]).toMatchObject({
      status: expect.any(String),
      score: expect.any(Number),
      sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      contact: { name: "Ana", email: "ana@globex.example", company: "Globex" },
      scoreBreakdown: [{ factor: "email", reason: "left a work email" }],
      updatedAt: "2030-01-01T00:00:00.000Z",
    });
  });

  it.each([1, 2, 3, 4])("pages of %i: every lead exactly once, in order, even those sharing a millisecond", async (limit) => {
    const admin = await loggedIn();
    expect(await everyPage(admin, { limit })).toEqual(expected.map((l) => l.id));
  });

  it("filters by status, paging within it", async () => {
    const admin = await loggedIn();
    for (const status of ["hot", "qualified", "new", "engaged"] as const) {
      expect(await everyPage(admin, { status, limit: 2 })).toEqual(expected.filter((l) => l.status === status).map((l) => l.id));
    }
  });

  it("a limit over 100, an unknown status or a made-up cursor is BAD_REQUEST", async () => {
    const admin = await loggedIn();
    await expectCode(admin.leads.list.query({ limit: 101 }), "BAD_REQUEST");
    await expectCode(admin.leads.list.query({ limit: 0 }), "BAD_REQUEST");
    await expectCode(admin.leads.list.query({ limit: 10, status: "cold" as never }), "BAD_REQUEST");
    await expectCode(admin.leads.list.query({ limit: 10, cursor: "not-a-cursor" }), "BAD_REQUEST");
  });
});

describe("leads.get", () => {
  it("one lead with its details", async () => {
    const admin = await loggedIn();
    const [first] = (await admin.leads.list.query({ limit: 1 })).items;
    expect(await admin.leads.get.query({ id: first!.id })).toEqual(first);
  });

  it("another organization's lead, or none at all, is NOT_FOUND; a malformed id BAD_REQUEST", async () => {
    const admin = await loggedIn();
    await expectCode(admin.leads.get.query({ id: otherLeadId }), "NOT_FOUND");
    await expectCode(admin.leads.get.query({ id: crypto.randomUUID() }), "NOT_FOUND");
    await expectCode(admin.leads.get.query({ id: "1 or 1=1" }), "BAD_REQUEST");
  });
});

describe("leads: who may see what", () => {
  it("anonymous callers get UNAUTHORIZED", async () => {
    const anonymous = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN).client;
    await expectCode(anonymous.leads.list.query({ limit: 10 }), "UNAUTHORIZED");
    await expectCode(anonymous.leads.get.query({ id: otherLeadId }), "UNAUTHORIZED");
  });

  it("each organization sees only its own leads; the other's ids are NOT_FOUND", async () => {
    const outsider = await loggedIn(OTHER_ADMIN);
    const { items } = await outsider.leads.list.query({ limit: 100 });
    expect(items.map((l) => l.id)).toEqual([otherLeadId]);
    expect(items[0]!.contact.email).toBe("ceo@other.example");
    await expectCode(outsider.leads.get.query({ id: expected[0]!.id }), "NOT_FOUND");
    const admin = await loggedIn();
    expect((await admin.leads.list.query({ limit: 100 })).items.map((l) => l.id)).not.toContain(otherLeadId);
  });
});
