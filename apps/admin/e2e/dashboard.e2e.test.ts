import { join } from "node:path";

import { TEST_ADMIN } from "@leadline/server/testing";
import type { Browser, BrowserContext, FrameLocator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { region, resultsDir, rowsOf, startAdminStack, type AdminStack } from "./admin-stack";

const VIEWER = { email: "dashboard-viewer@test.example", password: "viewer-password" };

/** What the visitor types: enough for a lead with a name, an email, a company and a budget. */
const VISITOR_MESSAGES = [
  "Hi! I'm Ada Lovelace, ada@example.com, CTO at Analytical Engines, budget $50k",
  "We need a chatbot for our website and want to go live next month.",
  "What would it cost for a team of 12?",
];

let setup: AdminStack;
let admin: AdminStack["admin"];
let widget: NonNullable<AdminStack["widget"]>;
let browser: Browser;

// The admin's browser session, kept across the tests below: they follow one admin's first visit in order.
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  setup = await startAdminStack({ widget: true });
  ({ admin, browser } = setup);
  widget = setup.widget!;
  await setup.addUser(VIEWER, "viewer");
  context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  page = await context.newPage();
});

afterAll(() => setup?.stop());

/** The value of one headline number, e.g. "Messages". */
const stat = (target: Page, testId: string) => target.getByTestId(`stat-${testId}`).locator("dd").first().textContent();

/** Chats on the widget's demo page, waiting for each answer to finish; rates the first answer as good. */
async function chatOnDemoPage(demoUrl: string) {
  const demo = await context.newPage();
  await demo.goto(demoUrl);
  await demo.getByRole("button", { name: "Open chat" }).click({ timeout: 60_000 });
  const chat: FrameLocator = demo.frameLocator('iframe[title="Chat"]');
  await expect.poll(() => chat.getByRole("log").textContent(), { timeout: 30_000 }).toMatch(/Demo/);
  for (const [i, text] of VISITOR_MESSAGES.entries()) {
    await chat.getByRole("textbox", { name: "Message" }).fill(text);
    await chat.getByRole("button", { name: "Send" }).click();
    // A finished answer can be rated: one rating button per answer.
    await expect.poll(() => chat.getByRole("button", { name: "Good answer" }).count(), { timeout: 30_000 }).toBe(i + 1);
  }
  await chat.getByRole("button", { name: "Good answer" }).first().click();
  await expect.poll(() => chat.getByRole("button", { name: "Good answer" }).first().getAttribute("aria-pressed")).toBe("true");
  await demo.close();
}

describe("an admin's first visit", () => {
  it("before any traffic, the dashboard says what to do and links to the widget demo", async () => {
    await setup.signIn(page, TEST_ADMIN);
    await page.goto(admin.url);
    const empty = page.getByTestId("no-traffic");
    await expect.poll(() => empty.getByRole("heading").textContent(), { timeout: 15_000 }).toBe("No messages in the last 1 hour");
    const demoLink = empty.getByRole("link", { name: "widget demo page (opens in a new tab)" });
    expect(await demoLink.getAttribute("href")).toBe(`${widget.url}/demo`);
    // Nothing to chart yet: no chart is drawn.
    expect(await page.getByRole("heading", { name: "Response time" }).count()).toBe(0);

    await chatOnDemoPage((await demoLink.getAttribute("href"))!);
  });

  it("then sees the dashboard fill in by itself: headline numbers, charts with their tables, caches, cost and ratings", async () => {
    // No reload: the page refreshes itself every 5 s.
    await expect.poll(() => stat(page, "messages"), { timeout: 30_000 }).toBe(String(VISITOR_MESSAGES.length));
    expect(await stat(page, "p95-total")).toMatch(/^\d+(\.\d+)? m?s$/);
    expect(await stat(page, "p95-first-token")).toMatch(/^\d+(\.\d+)? m?s$/);
    expect(await stat(page, "error-rate")).toBe("0.0 %");
    await expect.poll(() => stat(page, "cost"), { timeout: 15_000 }).toMatch(/^\$/);
    await expect.poll(() => stat(page, "satisfaction"), { timeout: 15_000 }).toBe("100 %");

    // The trend chart is an image named by what it shows; its numbers are a table one click away.
    const trend = region(page, "Response time");
    await expect
      .poll(() => trend.getByRole("img").getAttribute("aria-label"), { timeout: 15_000 })
      .toMatch(/^Line chart of response time per minute over the last 1 hour: .* 3 messages in [12] of \d+ minutes;/);
    expect(await trend.locator(".recharts-line").count()).toBe(4); // drawn: p50/p95 of total and first token
    await trend.getByText("Show the numbers").click();
    const trendTable = trend.getByRole("table");
    const trendRows = await rowsOf(trendTable);
    expect(trendRows.reduce((sum, row) => sum + Number(row[1]), 0)).toBe(3);
    for (const row of trendRows) expect(row[3]).toMatch(/ m?s$/); // each minute with messages has a p95 total

    // Stages: one row per stage and mode, each with its number of runs.
    const stages = region(page, "Stages").getByRole("table");
    await expect.poll(async () => (await rowsOf(stages)).length, { timeout: 15_000 }).toBeGreaterThan(0);
    for (const [name, mode, runs] of await rowsOf(stages)) {
      expect(name).toMatch(/^[a-z-]+$/);
      expect(["inline", "parallel", "background"]).toContain(mode);
      expect(Number(runs)).toBeGreaterThan(0);
    }

    await expect.poll(() => region(page, "Satisfaction").getByTestId("satisfaction-summary").textContent()).toBe("100 % thumbs up (1 of 1)");
    expect(await region(page, "Cost").getByTestId("cost-total").textContent()).toMatch(/^\$/);
    expect(await region(page, "Caches").count()).toBe(1);
    await page.screenshot({ path: join(resultsDir, "dashboard.png"), fullPage: true });

    // Another window: the choice is kept in the address, and the chart is redrawn per hour.
    await page.getByRole("radio", { name: "24 hours" }).check();
    await expect.poll(() => new URL(page.url()).searchParams.get("window")).toBe("24h");
    await expect.poll(() => trend.getByRole("img").getAttribute("aria-label"), { timeout: 15_000 }).toMatch(/per hour over the last 24 hours: .* 3 messages in 1 of/);
    expect(await stat(page, "messages")).toBe("3");
  });

  it("finds the visitor among the leads, with contact details and the score's breakdown, linked to the conversation", async () => {
    const nav = page.getByRole("navigation", { name: "Main" });
    // The demo organization operates the deployment: its admins see the Flags page in the navigation.
    await expect.poll(() => nav.getByRole("link").allTextContents()).toEqual(["Dashboard", "Leads", "Conversations", "Flags", "Alerts", "Reports", "Sites"]);
    await nav.getByRole("link", { name: "Leads" }).click();
    const leads = page.getByTestId("leads-table");
    await expect.poll(async () => (await rowsOf(leads)).map((row) => row.slice(0, 3)), { timeout: 30_000 }).toEqual([["Ada Lovelace", "ada@example.com", "Analytical Engines"]]);
    const [[, , , score, status]] = (await rowsOf(leads)) as [string[]];
    expect(Number(score)).toBeGreaterThan(0);
    expect(["New", "Engaged", "Qualified", "Hot"]).toContain(status);

    // Filtered by another status, the lead is not listed; by its own, it is.
    const filter = page.getByLabel("Status");
    const other = status === "Hot" ? "new" : "hot";
    await filter.selectOption(other);
    await expect.poll(() => page.getByText(/^No lead is (new|hot) yet\.$/).count(), { timeout: 15_000 }).toBe(1);
    expect(new URL(page.url()).searchParams.get("status")).toBe(other);
    await filter.selectOption(status!.toLowerCase());
    await expect.poll(async () => (await rowsOf(leads)).length, { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: join(resultsDir, "leads.png"), fullPage: true });

    await leads.getByRole("link", { name: "Ada Lovelace", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Ada Lovelace" }).waitFor({ timeout: 15_000 });
    const contact = await page.getByTestId("lead-contact").textContent();
    expect(contact).toContain("ada@example.com");
    expect(contact).toContain("Analytical Engines");
    expect(await page.getByTestId("lead-signals").textContent()).toContain("USD 50,000");
    const breakdown = await rowsOf(page.getByTestId("score-breakdown"));
    expect(breakdown.length).toBeGreaterThan(0);
    expect(breakdown.reduce((sum, [, points]) => sum + Number(points!.replace("−", "-")), 0)).toBe(Number(score));
    await page.screenshot({ path: join(resultsDir, "lead.png"), fullPage: true });

    await page.getByRole("link", { name: "Open the conversation" }).click();
    await page.waitForURL(/\/conversations\/[0-9a-f-]{36}$/, { timeout: 15_000 });
  });

  it("reads the conversation, each answer with its timings", async () => {
    const messages = page.getByRole("list", { name: "Messages" }).getByRole("article");
    await expect.poll(() => messages.count(), { timeout: 15_000 }).toBe(VISITOR_MESSAGES.length * 2);
    expect(await messages.first().textContent()).toContain(VISITOR_MESSAGES[0]);
    const timings = page.getByTestId("message-timing");
    expect(await timings.count()).toBe(VISITOR_MESSAGES.length);
    for (let i = 0; i < VISITOR_MESSAGES.length; i += 1) {
      await expect.poll(() => timings.nth(i).textContent(), { timeout: 15_000 }).toMatch(/First token\d+(\.\d+)? m?sTotal\d+(\.\d+)? m?s/);
    }
    expect(await page.getByTestId("conversation-lead").getByRole("link", { name: "Open the lead" }).count()).toBe(1);
    await page.screenshot({ path: join(resultsDir, "conversation.png"), fullPage: true });

    // The list of conversations has this one, with its six messages.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Conversations" }).click();
    const list = page.getByTestId("conversations-table");
    await expect.poll(async () => (await rowsOf(list)).map((row) => row[2]), { timeout: 15_000 }).toEqual([String(VISITOR_MESSAGES.length * 2)]);
  });

  it("sees no alert yet, and a dashboard that fits a phone", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alerts" }).click();
    await expect.poll(() => page.getByTestId("no-alerts").textContent(), { timeout: 15_000 }).toContain("No alerts");

    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(admin.url);
    await expect.poll(() => stat(page, "messages"), { timeout: 15_000 }).toBe("3");
    await page.getByRole("heading", { name: "Stages" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.screenshot({ path: join(resultsDir, "dashboard-360.png"), fullPage: true });
  });
});

describe("a viewer", () => {
  it("reads the dashboard but cannot change a flag", async () => {
    const viewer = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const viewerPage = await viewer.newPage();
    await setup.signIn(viewerPage, VIEWER);
    await viewerPage.goto(admin.url);
    await expect.poll(() => stat(viewerPage, "messages"), { timeout: 15_000 }).toBe("3");

    // The flags page in depth is flags.e2e.test.ts's; here only that a viewer gets no live control.
    await viewerPage.goto(`${admin.url}/flags`);
    await expect.poll(() => viewerPage.getByTestId("viewer-note").textContent(), { timeout: 15_000 }).toContain("only an admin can change them");
    const steps = viewerPage.getByRole("button", { name: /^Set .+ to \d+ %$/ });
    await expect.poll(() => steps.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await steps.evaluateAll((buttons) => buttons.every((b) => (b as HTMLButtonElement).disabled))).toBe(true);
    await viewer.close();
  });
});
