/**
 * What a visitor sees when the server refuses: a rate limit says how long to
 * wait and the chat comes back by itself; a spent budget offers the contact
 * form, and the lead is captured without the model.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { chatMessages, leads, rateLimits, sites } from "@leadline/db/schema";
import { freePort } from "@leadline/db/testing";
import { startNextApp } from "@leadline/server/next-apps";
import { startTestStack, type TestStack } from "@leadline/server/testing";
import { count, eq, sql } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { launchBrowser } from "@leadline/testing/browser";

import { openDemoChat } from "./demo-page";

const widgetDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const silent = { info() {}, warn() {} };

let stack: TestStack;
let widget: Awaited<ReturnType<typeof startNextApp>>;
let browser: Browser;

beforeAll(async () => {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  // One message a minute per session: the second one is refused.
  stack = await startTestStack({ origins: [origin], env: { RATE_LIMIT_SESSION_MESSAGES: "1" } });
  widget = await startNextApp({ name: "widget", dir: widgetDir, port, env: { API_URL: `${stack.url}/trpc` }, log: silent });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await widget?.stop();
  await stack?.stop();
});

const openChat = (page: Page) => openDemoChat(page, widget.url);

const answerCalls = () => stack.simulator.stats().requests - stack.simulator.stats().structured;
const messageCount = async () => (await stack.database.db.select({ n: count() }).from(chatMessages))[0]!.n;

describe("refusals, as the visitor sees them", () => {
  it("too many messages: the chat says how long to wait, keeps the text, and sends again once the wait is over", async () => {
    const page = await browser.newPage();
    const chat = await openChat(page);
    const textbox = chat.getByRole("textbox", { name: "Message" });
    const sendButton = chat.getByRole("button", { name: "Send" });
    await textbox.fill("Hi, what do you offer?");
    await sendButton.click();
    await chat.getByRole("button", { name: "Good answer" }).waitFor({ timeout: 30_000 });

    // The minute's window ends in 3 s (as if the first message had been sent 57 s ago), so the wait is short to watch.
    await stack.database.db.update(rateLimits).set({ expire: sql`now() + interval '3 seconds'` });
    const before = await messageCount();
    await textbox.fill("And the price?");
    await sendButton.click();
    const waitNotice = chat.getByRole("alert").filter({ hasText: "sending messages too quickly" });
    await expect.poll(() => waitNotice.textContent(), { timeout: 10_000 }).toMatch(/You can send again in [1-3] s/);
    expect(await sendButton.isDisabled()).toBe(true);
    expect(await textbox.inputValue()).toBe("And the price?");
    expect(await messageCount()).toBe(before);

    // By itself: the notice goes, Send is back, and the same text goes through.
    await expect.poll(() => sendButton.isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await waitNotice.count()).toBe(0);
    await sendButton.click();
    await expect.poll(() => chat.getByRole("button", { name: "Good answer" }).count(), { timeout: 30_000 }).toBe(2);
    expect(await messageCount()).toBe(before + 2);
    await page.close();
  });

  it("budget spent: no error, the contact form with the typed question, and the lead stored", async () => {
    const [site] = await stack.database.db.select().from(sites);
    await stack.database.db.update(sites).set({ dailyBudgetUsd: "0" }).where(eq(sites.id, site!.id));
    await stack.services.pipeline.cache.invalidate("siteLimits", site!.organizationId, site!.id);

    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const chat = await openChat(page);
    const before = await messageCount();
    const callsBefore = answerCalls();
    await chat.getByRole("textbox", { name: "Message" }).fill("We need 20 seats by March");
    await chat.getByRole("button", { name: "Send" }).click();

    const form = chat.getByRole("form", { name: "Leave your contact details" });
    await form.waitFor({ timeout: 15_000 });
    expect(await form.textContent()).toMatch(/Leave your name and email/);
    expect(await chat.getByRole("textbox", { name: "Message (optional)" }).inputValue()).toBe("We need 20 seats by March");
    await chat.getByRole("textbox", { name: "Name" }).fill("Ana Silva");
    await chat.getByRole("textbox", { name: "Email" }).fill("ana@globex.example");
    await chat.getByRole("button", { name: "Send my details" }).click();
    await expect.poll(() => chat.getByRole("status").allTextContents(), { timeout: 10_000 }).toContain("Thanks, Ana Silva! The team will get back to you at ana@globex.example.");

    const lead = (await stack.database.db.select().from(leads)).find((l) => l.contactInfo.email === "ana@globex.example");
    expect(lead).toMatchObject({ contactInfo: { name: "Ana Silva" }, signals: { need: "We need 20 seats by March" } });
    expect(await messageCount()).toBe(before);
    expect(answerCalls()).toBe(callsBefore);
    await page.close();
  });
});
