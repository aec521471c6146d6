import { join } from "node:path";

import { auditLog, sites } from "@leadline/db/schema";
import { TEST_ADMIN } from "@leadline/server/testing";
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { region, resultsDir, rowsOf, startAdminStack, type AdminStack, type Login } from "./admin-stack";

const VIEWER = { email: "sites-viewer@test.example", password: "viewer-password" };
const SHOP = "https://shop.example.com";
const PHONE = { width: 360, height: 740 };

let setup: AdminStack;
let widgetOrigin: string;

beforeAll(async () => {
  // With the widget app: the admin app then knows its URL, for the snippet and the origin its /demo page needs.
  setup = await startAdminStack({ widget: true });
  widgetOrigin = new URL(setup.widget!.url).origin;
  await setup.addUser(VIEWER, "viewer");
});

afterAll(() => setup?.stop());


/** The demo site as stored. */
async function storedSite() {
  const [site] = await setup.stack.database.db.select().from(sites).where(eq(sites.organizationId, setup.stack.organizationId));
  return site!;
}

async function siteChangesAudited() {
  return setup.stack.database.db
    .select({ actorId: auditLog.actorId, details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.organizationId, setup.stack.organizationId), eq(auditLog.action, "site.update")));
}

const sitePath = async () => `/sites/${(await storedSite()).id}`;
const originsField = (page: Page) => page.getByLabel("Origins that may show the chat, one per line");
const sessionRate = (page: Page) => page.getByLabel("Messages per minute, per chat");
const dailyBudget = (page: Page) => page.getByLabel("Daily budget (USD)");
const monthlyBudget = (page: Page) => page.getByLabel("Monthly budget (USD)");
const fitsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
/** The text of the elements a field's aria-describedby names: its error first, then its hint. */
const descriptionOf = (page: Page, label: string) =>
  page
    .getByLabel(label)
    .evaluate((field) => (field.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent ?? `missing #${id}`));

describe("the Sites page", () => {
  it("an admin adds an allowed origin, sets a rate limit and a daily budget, saves, and finds them after a reload and in the database", async () => {
    const { context, page } = await setup.openAs(TEST_ADMIN, "/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sites" }).click();
    const table = page.getByTestId("sites-table");
    await expect.poll(() => rowsOf(table), { timeout: 15_000 }).toEqual([["Demo website", "demo", "1", "Default", "Default"]]);
    await table.getByRole("link", { name: "Demo website" }).click();
    await page.getByRole("heading", { level: 1, name: "Demo website" }).waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe(await sitePath());

    expect(await page.getByTestId("snippet").textContent()).toBe(`<script src="${setup.widget!.url}/loader.js" data-site-key="demo" async></script>`);
    const origins = originsField(page);
    await expect.poll(() => origins.inputValue(), { timeout: 15_000 }).toBe(widgetOrigin);
    expect((await descriptionOf(page, "Origins that may show the chat, one per line")).join(" ")).toContain(`List the widget's own origin, ${widgetOrigin}, for its /demo page.`);
    // Empty fields take the deployment's defaults (the test stack's generous ones), shown beside them.
    expect(await sessionRate(page).inputValue()).toBe("");
    expect(await sessionRate(page).getAttribute("placeholder")).toBe("10000");
    expect(await descriptionOf(page, "Messages per minute, per chat")).toEqual(["Default: 10,000"]);
    expect(await page.getByTestId("spend-today").textContent()).toBe("$0 spent + $0 reserved of $1,000");

    await origins.fill(`${widgetOrigin}\n${SHOP}`);
    await sessionRate(page).fill("20");
    await dailyBudget(page).fill("2.5");
    await page.getByLabel("Reason (optional)").fill("New shop opens");
    await page.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => page.getByRole("status").filter({ hasText: "Saved" }).textContent(), { timeout: 15_000 })
      .toMatch(/^Saved the allowed origins, rate limits and daily budget at \d\d:\d\d:\d\d\.$/);
    // The spend is now measured against the site's own budget.
    await expect.poll(() => page.getByTestId("spend-today").textContent(), { timeout: 15_000 }).toBe("$0 spent + $0 reserved of $2.50");

    expect(await storedSite()).toMatchObject({ allowedOrigins: [widgetOrigin, SHOP], rateLimits: { sessionMessagesPerMinute: 20 }, dailyBudgetUsd: "2.5000", monthlyBudgetUsd: null });
    const [audit] = await siteChangesAudited();
    expect(audit?.details).toEqual({ fields: ["allowedOrigins", "rateLimits", "dailyBudgetUsd"] });

    await page.reload();
    await expect.poll(() => originsField(page).inputValue(), { timeout: 15_000 }).toBe(`${widgetOrigin}\n${SHOP}`);
    expect(await sessionRate(page).inputValue()).toBe("20");
    expect(await dailyBudget(page).inputValue()).toBe("2.5");
    expect(await monthlyBudget(page).inputValue()).toBe("");
    await page.screenshot({ path: join(resultsDir, "site.png"), fullPage: true });
    await context.close();
  });

  it("an origin with a path and a rate of 0 are refused with the server's reasons beside them, on a phone; what was typed stays and nothing changes", async () => {
    const before = await storedSite();
    const { context, page } = await setup.openAs(TEST_ADMIN, await sitePath(), PHONE);
    const origins = originsField(page);
    await expect.poll(() => origins.inputValue(), { timeout: 15_000 }).toBe(`${widgetOrigin}\n${SHOP}`);
    const typed = `${widgetOrigin}\n${SHOP}\nhttps://x.example/path`;
    await origins.fill(typed);
    await page.getByLabel("Messages per minute, whole site").fill("0");
    await monthlyBudget(page).fill("0");
    await page.getByRole("button", { name: "Save" }).click();

    const form = page.getByRole("form", { name: "Site settings" });
    await expect.poll(() => form.getByRole("alert").textContent(), { timeout: 15_000 }).toContain("Not saved.");
    expect(await descriptionOf(page, "Origins that may show the chat, one per line")).toEqual([
      "https://x.example/path: An origin is scheme://host[:port] only: no path, query or #fragment",
      expect.stringContaining("Each exactly scheme://host[:port]"),
    ]);
    expect(await origins.getAttribute("aria-invalid")).toBe("true");
    expect((await descriptionOf(page, "Messages per minute, whole site"))[0]).toBe("Must be at least 1");
    // The first field with a reason has the focus, and everything typed is still there.
    expect(await origins.evaluate((field) => field === document.activeElement)).toBe(true);
    expect(await origins.inputValue()).toBe(typed);
    expect(await monthlyBudget(page).inputValue()).toBe("0");
    expect(await fitsSideways(page)).toBe(true);
    await page.screenshot({ path: join(resultsDir, "site-refused-360.png"), fullPage: true });

    expect(await storedSite()).toEqual(before);
    expect(await siteChangesAudited()).toHaveLength(1);
    await context.close();
  });

  it("a viewer reads every setting, read-only with a word on why, on a phone too", async () => {
    const { context, page } = await setup.openAs(VIEWER, await sitePath(), PHONE);
    await expect.poll(() => page.getByTestId("sites-viewer-note").textContent(), { timeout: 15_000 }).toContain("only an admin can change them");
    await expect.poll(() => originsField(page).inputValue(), { timeout: 15_000 }).toBe(`${widgetOrigin}\n${SHOP}`);
    expect(await sessionRate(page).inputValue()).toBe("20");
    expect(await dailyBudget(page).inputValue()).toBe("2.5");
    const fields = page.getByRole("form", { name: "Site settings" }).locator("input, textarea");
    expect(await fields.count()).toBe(9);
    expect(await fields.evaluateAll((all) => all.every((field) => (field as HTMLInputElement).readOnly))).toBe(true);
    expect(await page.getByRole("button", { name: "Save" }).count()).toBe(0);
    expect(await page.getByTestId("snippet").textContent()).toContain('data-site-key="demo"');
    expect(await fitsSideways(page)).toBe(true);
    await page.screenshot({ path: join(resultsDir, "site-viewer-360.png"), fullPage: true });
    await context.close();
  });

  it("a budget of 0 switches the model off: the next message is refused, and the dashboard counts it", async () => {
    const { context, page } = await setup.openAs(TEST_ADMIN, await sitePath());
    await expect.poll(() => monthlyBudget(page).inputValue(), { timeout: 15_000 }).toBe("");
    await monthlyBudget(page).fill("0");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByTestId("spend-month").textContent(), { timeout: 15_000 }).toBe("$0 spent; the model is off (budget $0)");
    expect((await storedSite()).monthlyBudgetUsd).toBe("0.0000");

    await expect(setup.chat(["Hello?"])).rejects.toThrow("The assistant is not available right now.");
    await page.goto(setup.admin.url);
    const refused = region(page, "Refused chats");
    // Refusals are counted in memory and written every 5 s; the dashboard refreshes every 5 s.
    await expect.poll(() => refused.getByTestId("refused-budget").textContent(), { timeout: 30_000 }).toBe("1");
    expect(await refused.getByTestId("refused-rate-limited").textContent()).toBe("0");
    expect(await refused.getByTestId("refused-session-cap").textContent()).toBe("0");
    await page.screenshot({ path: join(resultsDir, "dashboard-refusals.png"), fullPage: true });
    await context.close();
  });
});
