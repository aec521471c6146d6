import { appRouter, createCallerFactory, createContextFactory } from "@leadline/api";
import { adminUsers, auditLog, organizations, requestTimings } from "@leadline/db/schema";
import { hashPassword } from "@leadline/db/password";
import { freePort } from "@leadline/db/testing";
import { TEST_ADMIN_TOKEN, TEST_BACKEND_TOKEN } from "@leadline/flags/testing";
import { createUnleashAdmin, type UnleashAdmin } from "@leadline/flags/unleash-admin";
import "@leadline/flags/testing/provided";
import { asc, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { adminBrowser, expectCode, startTestStack, TEST_ADMIN, type TestStack } from "./testing";

const ADMIN_ORIGIN = "http://localhost:3001";
let stack: TestStack;
let unleash: ReturnType<typeof createUnleashAdmin>;

let unleashUrl: string;
beforeAll(async () => {
  const url = (unleashUrl = inject("testUnleashUrl"));
  unleash = createUnleashAdmin({ url, token: TEST_ADMIN_TOKEN });
  stack = await startTestStack({ unleash: { url, clientToken: TEST_BACKEND_TOKEN, adminToken: TEST_ADMIN_TOKEN }, env: { UNLEASH_REFRESH_MS: "300" } });
});
afterAll(() => stack?.stop());


async function loggedIn(email = TEST_ADMIN.email, password = TEST_ADMIN.password) {
  const browser = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN);
  await browser.logIn(email, password);
  return browser.client;
}

describe("flags router", () => {
  it("anonymous callers can neither read nor change flags", async () => {
    const anonymous = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN).client;
    await expectCode(anonymous.flags.list.query(), "UNAUTHORIZED");
    await expectCode(anonymous.flags.setRollout.mutate({ name: "pipeline.cache", rollout: 0, reason: "test" }), "UNAUTHORIZED");
  });

  it("an admin sets a rollout through Unleash; the change is audited with who and why", async () => {
    const admin = await loggedIn();
    const listed = await admin.flags.list.query();
    expect(listed.unleash).toBe("available");
    expect(listed.flags.map((f) => f.name)).toContain("pipeline.background");

    const state = await admin.flags.setRollout.mutate({ name: "pipeline.enhancement", rollout: 50, reason: "step two of the rollout" });
    expect(state).toMatchObject({ rollout: 50, stickiness: "sessionId" });
    expect(await unleash.getFlag("pipeline.enhancement")).toMatchObject({ rollout: 50 });
    const [entry] = await stack.database.db.select().from(auditLog).where(eq(auditLog.action, "flag.rollout")).orderBy(desc(auditLog.createdAt)).limit(1);
    expect(entry).toMatchObject({ actorType: "admin", targetId: "pipeline.enhancement", reason: "step two of the rollout", details: { to: 50 } });
    expect((await admin.flags.list.query()).flags.find((f) => f.name === "pipeline.enhancement")?.lastChange).toMatchObject({ action: "flag.rollout", by: TEST_ADMIN.email, reason: "step two of the rollout" });
  });

  it("a change made through the router reaches the server's own evaluations within a few seconds", async () => {
    const admin = await loggedIn();
    await admin.flags.setEnabled.mutate({ name: "pipeline.smart-router", enabled: false, reason: "compare without it" });
    const { sessionToken } = await stack.client().chat.startSession.mutate({ siteKey: "demo" });
    await expect
      .poll(
        async () => {
          const events = await stack.client().chat.send.mutate({ sessionToken, clientMessageId: `m-${crypto.randomUUID()}`, text: "hello" });
          for await (const _ of events);
          const [row] = await stack.database.db.select().from(requestTimings).orderBy(desc(requestTimings.createdAt)).limit(1);
          return row?.flags["pipeline.smart-router"];
        },
        { timeout: 10_000, interval: 500 },
      )
      .toBe(false);
    await admin.flags.setEnabled.mutate({ name: "pipeline.smart-router", enabled: true, reason: "restore" });
  });

  it("bad input changes nothing: a rollout outside 0–100 is BAD_REQUEST, an unknown flag NOT_FOUND", async () => {
    const admin = await loggedIn();
    const before = await unleash.getFlag("pipeline.cache");
    await expectCode(admin.flags.setRollout.mutate({ name: "pipeline.cache", rollout: 150, reason: "too much" }), "BAD_REQUEST");
    await expectCode(admin.flags.setRollout.mutate({ name: "pipeline.cache", rollout: -1, reason: "too little" }), "BAD_REQUEST");
    await expectCode(admin.flags.setRollout.mutate({ name: "pipeline.nope", rollout: 10, reason: "unknown" }), "NOT_FOUND");
    expect(await unleash.getFlag("pipeline.cache")).toEqual(before);
  });

  it("another organization's admin can neither see nor change the deployment's flags", async () => {
    const [org] = await stack.database.db.insert(organizations).values({ name: "Tenant", slug: "tenant" }).returning();
    await stack.database.db.insert(adminUsers).values({ organizationId: org!.id, email: "tenant@test.example", role: "admin", passwordHash: await hashPassword("tenant-password") });
    const tenant = await loggedIn("tenant@test.example", "tenant-password");
    const before = await unleash.getFlag("pipeline.cache");
    await expectCode(tenant.flags.list.query(), "NOT_FOUND");
    await expectCode(tenant.flags.setRollout.mutate({ name: "pipeline.cache", rollout: 10, reason: "not mine" }), "NOT_FOUND");
    expect(await unleash.getFlag("pipeline.cache")).toEqual(before);
  });

  it("a viewer can read flags but not change them", async () => {
    await stack.database.db.insert(adminUsers).values({ organizationId: stack.organizationId, email: "viewer@test.example", role: "viewer", passwordHash: await hashPassword("viewer-password") });
    const viewer = await loggedIn("viewer@test.example", "viewer-password");
    expect((await viewer.flags.list.query()).flags.length).toBeGreaterThan(0);
    const before = await unleash.getFlag("pipeline.cache");
    await expectCode(viewer.flags.setRollout.mutate({ name: "pipeline.cache", rollout: 10, reason: "viewer tries" }), "FORBIDDEN");
    expect(await unleash.getFlag("pipeline.cache")).toEqual(before);
  });
});

/** The flags router in-process, as the signed-in test admin, through the given Unleash Admin API. */
async function flagsThrough(admin: UnleashAdmin) {
  const browser = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN);
  await browser.logIn();
  const ctx = createContextFactory(stack.services)({ req: { headers: { cookie: `leadline_admin=${browser.token()}` }, socket: { remoteAddress: "127.0.0.1" } } });
  return createCallerFactory(appRouter)({ ...ctx, unleashAdmin: admin }).flags;
}

/** The audit rows of one change (each test gives its change a reason of its own), oldest first. */
const auditOf = (reason: string) => stack.database.db.select().from(auditLog).where(eq(auditLog.reason, reason)).orderBy(asc(auditLog.createdAt));

describe("a flag change's audit trail (Unleash is outside our transactions)", () => {
  it("with Unleash up: the intent is recorded before Unleash is asked, then the outcome, which points to it", async () => {
    const admin = await loggedIn();
    const before = await unleash.getFlag("pipeline.enhancement");
    await admin.flags.setRollout.mutate({ name: "pipeline.enhancement", rollout: 30, reason: "intent then outcome" });
    const [intent, outcome, ...rest] = await auditOf("intent then outcome");
    expect(rest).toEqual([]);
    expect(intent).toMatchObject({ action: "flag.rollout.requested", targetId: "pipeline.enhancement", details: { to: 30 } });
    expect(outcome).toMatchObject({ action: "flag.rollout", targetId: "pipeline.enhancement", details: { requestId: intent!.id, to: 30 } });
    expect(outcome!.createdAt.getTime()).toBeGreaterThanOrEqual(intent!.createdAt.getTime());
    expect((await admin.flags.list.query()).flags.find((f) => f.name === "pipeline.enhancement")?.lastChange).toMatchObject({ action: "flag.rollout", reason: "intent then outcome" });
    await unleash.setRollout("pipeline.enhancement", before!.rollout);
  });

  it("with Unleash down or refusing: an intent and a failure with the reason, no change, and the page's last change is still the last real one", async () => {
    const admin = await loggedIn();
    await admin.flags.setRollout.mutate({ name: "pipeline.cache", rollout: 100, reason: "the last real change" });
    const before = await unleash.getFlag("pipeline.cache");
    const lastChange = async () => (await admin.flags.list.query()).flags.find((f) => f.name === "pipeline.cache")?.lastChange;
    const last = await lastChange();

    const down = await flagsThrough(createUnleashAdmin({ url: `http://127.0.0.1:${await freePort()}`, token: TEST_ADMIN_TOKEN, timeoutMs: 2000 }));
    await expect(down.setRollout({ name: "pipeline.cache", rollout: 10, reason: "while Unleash is down" })).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    const [intent, failure, ...rest] = await auditOf("while Unleash is down");
    expect(rest).toEqual([]);
    expect(intent).toMatchObject({ action: "flag.rollout.requested", actorType: "admin", targetId: "pipeline.cache", details: { to: 10 } });
    expect(failure).toMatchObject({ action: "flag.rollout.failed", targetId: "pipeline.cache", details: { requestId: intent!.id, to: 10, error: expect.stringMatching(/unreachable/) } });

    const refusing = await flagsThrough(createUnleashAdmin({ url: unleashUrl, token: "not-a-token" }));
    await expect(refusing.setEnabled({ name: "pipeline.cache", enabled: false, reason: "Unleash refuses" })).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect((await auditOf("Unleash refuses")).map((r) => [r.action, r.details])).toEqual([
      ["flag.disable.requested", { enabled: false }],
      ["flag.disable.failed", expect.objectContaining({ enabled: false, error: expect.stringMatching(/answered 401/) })],
    ]);

    expect(await unleash.getFlag("pipeline.cache")).toEqual(before);
    expect(await lastChange()).toEqual(last);
  });

  it("when the intent cannot be recorded, Unleash is not asked", async () => {
    const admin = await loggedIn();
    const before = await unleash.getFlag("pipeline.cache");
    const db = stack.database.db;
    await db.execute(sql`create function audit_refuses() returns trigger language plpgsql as $$ begin raise exception 'the audit log is down'; end $$`);
    await db.execute(sql`create trigger audit_refuses before insert on audit_log for each row when (new.reason = 'no audit, no change') execute function audit_refuses()`);
    try {
      await expectCode(admin.flags.setRollout.mutate({ name: "pipeline.cache", rollout: 5, reason: "no audit, no change" }), "INTERNAL_SERVER_ERROR");
    } finally {
      await db.execute(sql`drop trigger audit_refuses on audit_log`);
    }
    expect(await unleash.getFlag("pipeline.cache")).toEqual(before);
    expect(await auditOf("no audit, no change")).toEqual([]);
  });
});
