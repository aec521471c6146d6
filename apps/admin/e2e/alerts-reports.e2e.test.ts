import { join } from "node:path";

import { adminUsers, alertRules, auditLog, requestTimings, type AlertRuleKind } from "@leadline/db/schema";
import { TEST_ADMIN } from "@leadline/server/testing";
import { and, count, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resultsDir, rowsOf, startAdminStack, type AdminStack, type Login } from "./admin-stack";

const VIEWER = { email: "rules-viewer@test.example", password: "viewer-password" };
const VISITOR_MESSAGES = ["Hi, what does Leadline do?", "Does it work with HubSpot?", "What would it cost for a team of 12?", "Thanks, that helps."];
const RULE_IS_DEFAULT = { updatedBy: null };

let setup: AdminStack;

beforeAll(async () => {
  setup = await startAdminStack();
  await setup.addUser(VIEWER, "viewer");
});

afterAll(() => setup?.stop());


/** A rule as stored: what the page changed, or did not. */
async function storedRule(kind: AlertRuleKind) {
  const [rule] = await setup.stack.database.db
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.organizationId, setup.stack.organizationId), eq(alertRules.kind, kind)));
  return rule;
}

async function ruleChangesAudited() {
  return setup.stack.database.db
    .select({ targetId: auditLog.targetId, details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.organizationId, setup.stack.organizationId), eq(auditLog.action, "alert_rule.update")))
    .orderBy(auditLog.createdAt);
}

/** Timings are written in batches off the reply's path: wait until every message of the chat has its row. */
async function waitForTimings(messages: number) {
  const recorded = async () => {
    const [row] = await setup.stack.database.db.select({ n: count() }).from(requestTimings).where(eq(requestTimings.organizationId, setup.stack.organizationId));
    return row?.n;
  };
  await expect.poll(recorded, { timeout: 15_000 }).toBe(messages);
}

const rulesTable = (page: Page) => page.getByTestId("rules-table");
/** The first five cells of each rule's row: what it is, its threshold, window, state and last change. */
const ruleRows = async (page: Page) => (await rowsOf(rulesTable(page))).map((row) => row.slice(0, 5));
const reportStat = (page: Page, testId: string) => page.getByTestId(`report-stat-${testId}`).locator("dd").first().textContent();
/** Today in UTC, as the API names report days. (A run across midnight UTC would split the chat over two days.) */
const today = () => new Date().toISOString().slice(0, 10);

describe("alert rules on the alerts page", () => {
  it("an admin lowers the error-rate threshold and widens its window: saved, with who did it, in the table and the audit log", async () => {
    const { context, page } = await setup.openAs(TEST_ADMIN, "/alerts");
    await expect.poll(() => ruleRows(page), { timeout: 15_000 }).toEqual([
      ["p95 total time above", "8,000 ms", "Last 5 minutes", "On", "Never (the default)"],
      ["Error rate above", "5 %", "Last 5 minutes", "On", "Never (the default)"],
      ["p95 background lag above", "5,000 ms", "Last 5 minutes", "On", "Never (the default)"],
      ["Model cost today above", "$50.00", "Today so far (UTC)", "On", "Never (the default)"],
    ]);
    // The alerts list stays above the rules.
    expect(await page.getByTestId("no-alerts").count()).toBe(1);

    await page.getByRole("button", { name: "Edit Error rate above" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit rule: Error rate above" });
    await dialog.waitFor({ state: "visible" });
    // The API's share of 0.05 is typed as a percentage, with the cursor already in the field.
    const threshold = dialog.getByLabel("Threshold (%)");
    expect(await threshold.inputValue()).toBe("5");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("threshold");
    await threshold.fill("2.5");
    await dialog.getByLabel("Window").selectOption({ label: "Last 15 minutes" });
    await page.screenshot({ path: join(resultsDir, "alert-rule-dialog.png") });
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "hidden", timeout: 15_000 });

    await expect.poll(async () => (await ruleRows(page))[1], { timeout: 15_000 }).toEqual(["Error rate above", "2.5 %", "Last 15 minutes", "On", `just now by ${TEST_ADMIN.email}`]);
    expect(await page.getByRole("status").filter({ hasText: "Saved" }).textContent()).toBe("Saved: Error rate above 2.5 %, last 15 minutes, on.");
    expect(await storedRule("error_rate_above")).toMatchObject({ threshold: 0.025, forMinutes: 15, enabled: true });
    expect(await ruleChangesAudited()).toEqual([
      { targetId: "error_rate_above", details: { before: { threshold: 0.05, forMinutes: 5, enabled: true }, after: { threshold: 0.025, forMinutes: 15, enabled: true } } },
    ]);

    // The daily cost has no window to choose; turning it off is saved too.
    await page.getByRole("button", { name: "Edit Model cost today above" }).click();
    const cost = page.getByRole("dialog", { name: "Edit rule: Model cost today above" });
    await cost.waitFor({ state: "visible" });
    expect(await cost.getByLabel("Window").count()).toBe(0);
    await cost.getByLabel("On", { exact: true }).uncheck();
    await cost.getByRole("button", { name: "Save" }).click();
    await cost.waitFor({ state: "hidden", timeout: 15_000 });
    await expect.poll(async () => (await ruleRows(page))[3], { timeout: 15_000 }).toEqual(["Model cost today above", "$50.00", "Today so far (UTC)", "Off", `just now by ${TEST_ADMIN.email}`]);
    expect(await storedRule("daily_cost_above")).toMatchObject({ threshold: 50, forMinutes: null, enabled: false });

    // Still so after a reload: it was the server's answer, not the page's memory.
    await page.reload();
    await expect.poll(async () => (await ruleRows(page))[1]?.slice(0, 4), { timeout: 15_000 }).toEqual(["Error rate above", "2.5 %", "Last 15 minutes", "On"]);
    await page.screenshot({ path: join(resultsDir, "alert-rules.png"), fullPage: true });
    await context.close();
  });

  it("a threshold outside the rule's limits is explained in the form, and nothing changes", async () => {
    const { context, page } = await setup.openAs(TEST_ADMIN, "/alerts");
    const edit = page.getByRole("button", { name: "Edit p95 total time above" });
    await edit.click();
    const dialog = page.getByRole("dialog", { name: "Edit rule: p95 total time above" });
    const threshold = dialog.getByLabel("Threshold (ms)");
    await threshold.fill("700000");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.textContent()).toContain("Enter a value from 1 ms to 600,000 ms");
    expect(await threshold.getAttribute("aria-invalid")).toBe("true");
    await threshold.fill("8,000");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.textContent()).toContain("Enter a number without commas, with a dot for decimals");
    expect(await dialog.isVisible()).toBe(true);

    // Escape cancels and gives focus back to the button that opened the dialog.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await edit.evaluate((button) => button === document.activeElement)).toBe(true);
    expect((await ruleRows(page))[0]).toEqual(["p95 total time above", "8,000 ms", "Last 5 minutes", "On", "Never (the default)"]);
    expect(await storedRule("p95_total_above")).toMatchObject({ threshold: 8_000, forMinutes: 5, enabled: true, ...RULE_IS_DEFAULT });
    expect((await ruleChangesAudited()).map((change) => change.targetId)).toEqual(["error_rate_above", "daily_cost_above"]);
    await context.close();
  });

  it("a change the server refuses is explained in the dialog, with what was typed kept, and nothing changes", async () => {
    const demoted = { email: "demoted@test.example", password: "demoted-password" };
    await setup.addUser(demoted, "admin");
    const { context, page } = await setup.openAs(demoted, "/alerts");
    await page.getByRole("button", { name: "Edit p95 background lag above" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit rule: p95 background lag above" });
    // Made a viewer while the page is open: the API refuses, whatever the page still offers.
    await setup.stack.database.db.update(adminUsers).set({ role: "viewer" }).where(eq(adminUsers.email, demoted.email));
    await dialog.getByLabel("Threshold (ms)").fill("3000");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.getByRole("alert").textContent(), { timeout: 10_000 }).toBe("Viewers cannot change anything");
    expect(await dialog.getByLabel("Threshold (ms)").inputValue()).toBe("3000");
    expect(await storedRule("background_lag_above")).toMatchObject({ threshold: 5_000, ...RULE_IS_DEFAULT });
    await context.close();
  });

  it("a viewer reads the rules and who changed them, with no control and a word on why", async () => {
    const { context, page } = await setup.openAs(VIEWER, "/alerts");
    await expect.poll(() => page.getByTestId("rules-viewer-note").textContent(), { timeout: 15_000 }).toContain("only an admin can change them");
    await expect.poll(async () => (await ruleRows(page)).length, { timeout: 15_000 }).toBe(4);
    const [, errorRate] = await ruleRows(page);
    expect(errorRate?.slice(0, 4)).toEqual(["Error rate above", "2.5 %", "Last 15 minutes", "On"]);
    expect(errorRate?.[4]).toMatch(new RegExp(` by ${TEST_ADMIN.email}$`));
    expect(await page.getByRole("button", { name: /^Edit/ }).count()).toBe(0);
    expect(await page.getByRole("dialog").count()).toBe(0);
    await page.screenshot({ path: join(resultsDir, "alert-rules-viewer.png"), fullPage: true });
    await context.close();
  });
});

describe("daily reports", () => {
  it("before the first report, the page says when reports are written; only an admin is offered today's", async () => {
    const viewer = await setup.openAs(VIEWER, "/reports");
    const empty = viewer.page.getByTestId("no-reports");
    await expect.poll(() => empty.textContent(), { timeout: 15_000 }).toContain("A report is generated each day shortly after midnight UTC, for the previous day.");
    expect(await empty.textContent()).toContain("An admin can also generate today's report so far");
    await expect.poll(() => viewer.page.getByRole("banner").textContent()).toContain(`${VIEWER.email} viewer`);
    expect(await viewer.page.getByRole("button", { name: /Generate/ }).count()).toBe(0);
    await viewer.context.close();

    const admin = await setup.openAs(TEST_ADMIN, "/reports");
    await expect.poll(() => admin.page.getByTestId("no-reports").textContent(), { timeout: 15_000 }).toContain("Generate today's report");
    expect(await admin.page.getByRole("button", { name: "Generate today's report" }).count()).toBe(1);
    await admin.context.close();
  });

  it("an admin generates today's report after some chat traffic, reads its numbers, and updates it later in the day", async () => {
    await setup.chat(VISITOR_MESSAGES);
    await waitForTimings(VISITOR_MESSAGES.length);
    const { context, page } = await setup.openAs(TEST_ADMIN, "/reports");
    await page.getByRole("button", { name: "Generate today's report" }).click();
    await page.waitForURL((url) => url.pathname === `/reports/${today()}`, { timeout: 15_000 });
    await page.getByRole("heading", { level: 1, name: /^Report for / }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId("report-generated").textContent()).toMatch(/^So far Generated .*, before the day ended \(UTC\): these are its numbers so far\.$/);

    expect(await reportStat(page, "messages")).toBe(String(VISITOR_MESSAGES.length));
    expect(await reportStat(page, "error-rate")).toBe("0.0 %");
    expect(await reportStat(page, "p95-total")).toMatch(/^\d+(\.\d+)? m?s$/);
    expect(await reportStat(page, "p95-first-token")).toMatch(/^\d+(\.\d+)? m?s$/);
    expect(await reportStat(page, "alerts-opened")).toBe("0");
    const latency = await rowsOf(page.getByTestId("report-latency"));
    expect(latency.map((row) => row[0]!.split(" ")[0])).toEqual(["Total", "First", "Background"]);
    for (const row of latency.slice(0, 2)) for (const cell of row.slice(1)) expect(cell).toMatch(/^\d+(\.\d+)? m?s$/);
    const stages = await rowsOf(page.getByTestId("report-stages"));
    expect(stages.length).toBeGreaterThan(0);
    for (const [name, mode, runs] of stages) {
      expect(name).toMatch(/^[a-z-]+$/);
      expect(["inline", "parallel", "background"]).toContain(mode);
      expect(Number(runs)).toBeGreaterThan(0);
    }
    expect(await page.getByTestId("report-leads").textContent()).toMatch(/^New\d+/);
    expect(await page.getByTestId("report-cost").textContent()).toMatch(/^Total\$/);
    expect(await page.getByTestId("report-alerts").textContent()).toContain("No alert was opened that day.");
    await page.screenshot({ path: join(resultsDir, "report.png"), fullPage: true });

    // Later in the day: one more message, and the report brought up to date in place.
    await setup.chat(["One more question: do you offer a trial?"]);
    await waitForTimings(VISITOR_MESSAGES.length + 1);
    await page.getByRole("button", { name: "Update to now" }).click();
    await expect.poll(() => reportStat(page, "messages"), { timeout: 15_000 }).toBe(String(VISITOR_MESSAGES.length + 1));

    // The list has today's report, newest first, with the same numbers.
    await page.getByRole("link", { name: "← All reports" }).click();
    const table = page.getByTestId("reports-table");
    await expect.poll(async () => (await rowsOf(table)).map((row) => [row[1], row[2], row[4], row[6]]), { timeout: 15_000 }).toEqual([
      ["So far", String(VISITOR_MESSAGES.length + 1), "0.0 %", "0"],
    ]);
    expect(await table.getByRole("link").getAttribute("href")).toBe(`/reports/${today()}`);
    await context.close();
  });

  it("a viewer reads the report, on a phone too, but cannot generate or update one", async () => {
    const { context, page } = await setup.openAs(VIEWER, "/reports", { width: 360, height: 740 });
    const table = page.getByTestId("reports-table");
    await expect.poll(async () => (await rowsOf(table)).length, { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.getByRole("banner").textContent()).toContain(`${VIEWER.email} viewer`);
    expect(await page.getByRole("button", { name: /Generate/ }).count()).toBe(0);

    await table.getByRole("link").click();
    await page.waitForURL((url) => url.pathname === `/reports/${today()}`, { timeout: 15_000 });
    await expect.poll(() => reportStat(page, "messages"), { timeout: 15_000 }).toBe(String(VISITOR_MESSAGES.length + 1));
    expect(await page.getByRole("button", { name: /Update|Generate/ }).count()).toBe(0);
    // Wide tables scroll inside their own box; the page itself does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.screenshot({ path: join(resultsDir, "report-360.png"), fullPage: true });

    // A day without a report says so.
    await page.goto(`${setup.admin.url}/reports/2001-01-01`);
    await page.getByRole("heading", { level: 1, name: "No report for Mon, 1 Jan 2001" }).waitFor({ timeout: 15_000 });
    await context.close();
  });
});
