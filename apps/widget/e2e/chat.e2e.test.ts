import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { feedback, leads } from "@leadline/db/schema";
import { freePort } from "@leadline/db/testing";
import { startNextApp } from "@leadline/server/next-apps";
import { startTestStack, type TestStack } from "@leadline/server/testing";
import { eq } from "drizzle-orm";
import { baselineFlags, defaultFlags, type FlagSet } from "@leadline/flags/definitions";
import type { Browser, FrameLocator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { launchBrowser } from "@leadline/testing/browser";

import { openDemoChat } from "./demo-page";

const widgetDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const silent = { info() {}, warn() {} };

let stack: TestStack;
let widget: Awaited<ReturnType<typeof startNextApp>>;
let browser: Browser;

/** The backend and the built widget, with the given flags for every message. */
async function startAll(flags: FlagSet) {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  // A model slow enough to watch: the first token after 600 ms, then one every 60 ms.
  // The limit is raised so a 10,000-character word gets through to be rendered.
  stack = await startTestStack({ origins: [origin], profile: { firstTokenMs: 600, msPerToken: 60 }, env: { MAX_MESSAGE_CHARS: "12000" }, flags });
  widget = await startNextApp({ name: "widget", dir: widgetDir, port, env: { API_URL: `${stack.url}/trpc` }, log: silent });
}
async function stopAll() {
  await widget?.stop();
  await stack?.stop();
}

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const openChat = (page: Page) => openDemoChat(page, widget.url);

/** Reloads the customer's page and opens the chat again (the loader script is async: wait for its button). */
async function reopenAfterReload(page: Page) {
  await page.reload({ waitUntil: "domcontentloaded" });
  await page.getByRole("button", { name: "Open chat" }).click({ timeout: 60_000 });
}

/** Samples the text of the last answer while it streams, until the answer is complete. */
async function watchAnswer(chat: FrameLocator, answerIndex: number) {
  const answer = chat.locator('[role="log"] > div').nth(answerIndex);
  const seen: string[] = [];
  for (let i = 0; i < 400; i += 1) {
    const text = (await answer.locator("p").first().textContent().catch(() => null)) ?? "";
    if (text && seen.at(-1) !== text) seen.push(text);
    if (await answer.getByRole("button", { name: "Good answer" }).count()) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return seen;
}

describe("the widget on a customer's page, every optimization on", () => {
  beforeAll(() => startAll(defaultFlags()));
  afterAll(stopAll);

  it("chats: typing indicator, text arriving in pieces, history after reload, feedback stored", async () => {
    const page = await browser.newPage();
    const chat = await openChat(page);

    await chat.getByRole("textbox", { name: "Message" }).fill("Hi, I'm Ana from Globex");
    await chat.getByRole("button", { name: "Send" }).click();
    await chat.getByTestId("typing").waitFor({ state: "visible", timeout: 10_000 });

    // Index 0 is the greeting, 1 the visitor's message, 2 the answer.
    const pieces = await watchAnswer(chat, 2);
    expect(pieces.length).toBeGreaterThanOrEqual(3); // it grew as tokens arrived
    for (let i = 1; i < pieces.length; i += 1) expect(pieces[i]!.startsWith(pieces[i - 1]!)).toBe(true);
    const answer = pieces.at(-1)!;
    expect(answer).toMatch(/offline demo model/i);
    await expect.poll(() => chat.getByTestId("typing").count()).toBe(0);

    await reopenAfterReload(page);
    const reloaded = page.frameLocator('iframe[title="Chat"]');
    await expect.poll(() => reloaded.getByRole("log").textContent(), { timeout: 30_000 }).toContain("Hi, I'm Ana from Globex");
    await expect.poll(() => reloaded.getByRole("log").textContent()).toContain(answer.slice(0, 40));

    await reloaded.getByRole("button", { name: "Good answer" }).click();
    await expect.poll(() => reloaded.getByRole("button", { name: "Good answer" }).getAttribute("aria-pressed")).toBe("true");
    await expect.poll(async () => (await stack.database.db.select().from(feedback)).map((f) => f.rating)).toEqual(["up"]);
    await page.close();
  });

  it("renders hostile text inert and wraps a 10,000-character word", async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const chat = await openChat(page);
    const hostile = `<script>window.__pwned = true</script> ![x](http://127.0.0.1:1/track.png) ${"A".repeat(10_000)}`;
    await chat.getByRole("textbox", { name: "Message" }).fill(hostile);
    await chat.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => chat.getByRole("log").textContent(), { timeout: 30_000 }).toContain("<script>window.__pwned = true</script>");
    const frame = page.frames().find((f) => f.url().includes("/embed/"))!;
    expect(await frame.evaluate(() => (window as { __pwned?: boolean }).__pwned ?? false)).toBe(false);
    expect(await frame.locator("img").count()).toBe(0);
    // Nothing overflows sideways, in the chat or on the page.
    expect(await frame.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.close();
  });

  it("a message over the limit: the server's reason is shown and the typed text is kept", async () => {
    const page = await browser.newPage();
    const chat = await openChat(page);
    const tooLong = "x".repeat(12_001);
    await chat.getByRole("textbox", { name: "Message" }).fill(tooLong);
    await chat.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => chat.locator("body").textContent(), { timeout: 15_000 }).toContain("Message is too long (at most 12000 characters)");
    expect(await chat.getByRole("textbox", { name: "Message" }).inputValue()).toBe(tooLong);
    await page.close();
  });
});

describe("the widget with every optimization off (the plan's original flow)", () => {
  beforeAll(() => startAll(baselineFlags()));
  afterAll(stopAll);

  it("chats as before: the answer arrives whole after post-processing, the lead is captured, history survives a reload", async () => {
    const page = await browser.newPage();
    const chat = await openChat(page);
    await chat.getByRole("textbox", { name: "Message" }).fill("I'm Ana Silva, ana@globex.example");
    await chat.getByRole("button", { name: "Send" }).click();
    await chat.getByTestId("typing").waitFor({ state: "visible", timeout: 10_000 });
    const pieces = await watchAnswer(chat, 2);
    expect(pieces).toHaveLength(1); // no streaming: one piece, the whole reply
    // Everything ran inline: the lead exists by the time the answer shows.
    const [lead] = await stack.database.db.select().from(leads);
    expect(lead?.contactInfo.email).toBe("ana@globex.example");

    await reopenAfterReload(page);
    const reloaded = page.frameLocator('iframe[title="Chat"]');
    await expect.poll(() => reloaded.getByRole("log").textContent(), { timeout: 30_000 }).toContain(pieces[0]!.slice(0, 40));
    await page.close();
  });
});
