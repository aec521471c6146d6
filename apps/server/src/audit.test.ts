/**
 * An admin's change and its audit row commit together: when the audit row
 * cannot be written, the change is not kept and the admin hears of it.
 */
import { adminSessions, alertRules, auditLog, sites } from "@leadline/db/schema";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { adminBrowser, expectCode, startTestStack, TEST_ADMIN, type TestStack } from "./testing";

const ADMIN_ORIGIN = "http://localhost:3001";
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  await stack.database.db.execute(sql`create function audit_log_down() returns trigger language plpgsql as $$ begin raise exception 'the audit log is down'; end $$`);
});
afterAll(() => stack?.stop());

/** Runs `work` while every insert into audit_log fails (a trigger that raises, as a full disk or a lost connection would). */
async function withAuditDown<T>(work: () => Promise<T>): Promise<T> {
  const db = stack.database.db;
  await db.execute(sql`create trigger audit_log_down before insert on audit_log for each row execute function audit_log_down()`);
  try {
    return await work();
  } finally {
    await db.execute(sql`drop trigger audit_log_down on audit_log`);
  }
}

async function signedIn(login = TEST_ADMIN) {
  const browser = adminBrowser(stack.url, ADMIN_ORIGIN, login);
  await browser.logIn();
  return browser.client;
}

const auditRows = (action: string) => stack.database.db.select().from(auditLog).where(eq(auditLog.action, action));

describe("an admin change whose audit row cannot be written", () => {
  it("sites.update: the caller gets an error and the site keeps its config", async () => {
    const admin = await signedIn();
    const [site] = await stack.database.db.select().from(sites).where(eq(sites.publicKey, "demo"));
    await withAuditDown(async () => {
      const failed = await expectCode(admin.sites.update.mutate({ id: site!.id, changes: { greeting: "Changed without a trace" }, reason: "should not stick" }), "INTERNAL_SERVER_ERROR");
      expect(failed.message).not.toMatch(/audit/);
    });
    const [after] = await stack.database.db.select().from(sites).where(eq(sites.id, site!.id));
    expect(after!.greeting).toBe(site!.greeting);
    expect(await auditRows("site.update")).toEqual([]);

    // With the audit log back, the same change is kept, with its row.
    await admin.sites.update.mutate({ id: site!.id, changes: { greeting: "Hello again" }, reason: "friendlier" });
    const [kept] = await stack.database.db.select().from(sites).where(eq(sites.id, site!.id));
    expect(kept!.greeting).toBe("Hello again");
    expect(await auditRows("site.update")).toMatchObject([{ targetId: site!.id, reason: "friendlier", details: { fields: ["greeting"] } }]);
  });

  it("alerts.updateRule: the rule keeps its threshold", async () => {
    const admin = await signedIn();
    const before = await admin.alerts.rules.query();
    await withAuditDown(() => expectCode(admin.alerts.updateRule.mutate({ kind: "p95_total_above", threshold: 1234 }), "INTERNAL_SERVER_ERROR"));
    expect(await admin.alerts.rules.query()).toEqual(before);
    const [rule] = await stack.database.db.select().from(alertRules).where(and(eq(alertRules.organizationId, stack.organizationId), eq(alertRules.kind, "p95_total_above")));
    expect(rule!.threshold).not.toBe(1234);
  });

  it("auth.changePassword: the old password still works and no session is ended; once audited, the change is recorded", async () => {
    const here = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN);
    const elsewhere = adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN);
    await here.logIn();
    await elsewhere.logIn();
    await withAuditDown(() => expectCode(here.client.auth.changePassword.mutate({ current: TEST_ADMIN.password, next: "a-password-never-kept" }), "INTERNAL_SERVER_ERROR"));
    expect(await elsewhere.client.auth.me.query()).toMatchObject({ email: TEST_ADMIN.email });
    await expectCode(adminBrowser(stack.url, ADMIN_ORIGIN, TEST_ADMIN).logIn(TEST_ADMIN.email, "a-password-never-kept"), "UNAUTHORIZED");

    const sessions = await stack.database.db.select().from(adminSessions);
    await here.client.auth.changePassword.mutate({ current: TEST_ADMIN.password, next: "the-next-password" });
    await expectCode(elsewhere.client.auth.me.query(), "UNAUTHORIZED");
    expect(await auditRows("auth.password.change")).toMatchObject([{ actorType: "admin", targetType: "admin_user", details: { endedSessions: sessions.length - 1 } }]);
    // Put back for the other tests of this file.
    await here.client.auth.changePassword.mutate({ current: "the-next-password", next: TEST_ADMIN.password });
  });
});
