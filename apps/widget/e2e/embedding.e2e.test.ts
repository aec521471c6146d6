/**
 * Which pages may show a site's chat, as Chromium enforces it: the embed
 * page's frame-ancestors (the site's allowed origins) and the loader's check
 * before it mounts. Customer pages are served by a tiny server on another
 * origin; every page is watched for CSP violations while it is used.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { chatSessions, sites } from "@leadline/db/schema";
import { freePort } from "@leadline/db/testing";
import { startNextApp } from "@leadline/server/next-apps";
import { startTestStack, type TestStack } from "@leadline/server/testing";
import { count, eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { launchBrowser } from "@leadline/testing/browser";

const widgetDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const silent = { info() {}, warn() {} };

let stack: TestStack;
let widget: Awaited<ReturnType<typeof startNextApp>>;
let browser: Browser;
let customer: { server: Server; origin: string };

/** A customer's site: `/` carries the one-tag snippet, `/framed` frames the embed page directly. */
function startCustomerSite(widgetUrl: string) {
  const pages: Record<string, string> = {
    "/": `<!doctype html><title>Customer</title><h1>Customer page</h1><script src="${widgetUrl}/loader.js" data-site-key="demo" async></script>`,
    "/framed": `<!doctype html><title>Framed</title><iframe title="Direct" src="${widgetUrl}/embed/demo" width="400" height="600"></iframe>`,
  };
  const server = createServer((req, res) => {
    const page = pages[req.url ?? ""];
    res.writeHead(page ? 200 : 404, { "content-type": "text/html" }).end(page ?? "not found");
  });
  // 127.0.0.1, not localhost like the widget: another origin, and another site too, as a customer's is.
  return new Promise<{ server: Server; origin: string }>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

beforeAll(async () => {
  const port = await freePort();
  // The demo site allows the widget's own origin only (its /demo page), as seeded.
  stack = await startTestStack({ origins: [`http://localhost:${port}`] });
  widget = await startNextApp({ name: "widget", dir: widgetDir, port, env: { API_URL: `${stack.url}/trpc` }, log: silent });
  customer = await startCustomerSite(widget.url);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => customer?.server.close(r));
  await widget?.stop();
  await stack?.stop();
});

const sessionCount = async () => (await stack.database.db.select({ n: count() }).from(chatSessions))[0]!.n;
const setAllowedOrigins = (origins: string[]) => stack.database.db.update(sites).set({ allowedOrigins: origins }).where(eq(sites.publicKey, "demo"));

/**
 * A page whose console messages and CSP violations (in any of its frames) are
 * kept. The browser's own messages (a refused frame, a blocked script) reach the DevTools
 * log, not page.on("console"), so that log is read too.
 */
async function watchedPage(): Promise<{ page: Page; console: string[]; violations: () => Promise<string[]> }> {
  const page = await browser.newPage();
  const console: string[] = [];
  page.on("console", (message) => console.push(message.text()));
  const devtools = await page.context().newCDPSession(page);
  devtools.on("Log.entryAdded", ({ entry }) => console.push(entry.text));
  await devtools.send("Log.enable");
  await page.addInitScript(() => {
    const seen: string[] = ((window as { __cspViolations?: string[] }).__cspViolations = []);
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const violations = async () => {
    const all = await Promise.all(page.frames().map((f) => f.evaluate(() => (window as { __cspViolations?: string[] }).__cspViolations ?? []).catch(() => [])));
    return [...all.flat(), ...console.filter((text) => /Content Security Policy/.test(text))];
  };
  return { page, console, violations };
}

/** Opens the chat with the launcher, sends one message and waits for the demo model's answer. */
async function chatOnce(page: Page) {
  await page.getByRole("button", { name: "Open chat" }).click({ timeout: 30_000 });
  const chat = page.frameLocator('iframe[title="Chat"]');
  await expect.poll(() => chat.getByRole("log").textContent(), { timeout: 30_000 }).toMatch(/Demo/);
  await chat.getByRole("textbox", { name: "Message" }).fill("Hi, I'm Ana from Globex");
  await chat.getByRole("button", { name: "Send" }).click();
  await expect.poll(() => chat.getByRole("log").textContent(), { timeout: 30_000 }).toMatch(/offline demo model/i);
}

describe("a page outside the site's allowed origins", () => {
  it("gets no chat: no launcher, a console message saying why and what to do, no session", async () => {
    const before = await sessionCount();
    const { page, console } = await watchedPage();
    await page.goto(customer.origin);
    await expect.poll(() => console.find((text) => text.startsWith("Leadline:")), { timeout: 15_000 }).toBeDefined();
    const message = console.find((text) => text.startsWith("Leadline:"))!;
    expect(message).toContain(customer.origin);
    expect(message).toContain('site "demo"');
    expect(message).toMatch(/Add .* to them/);
    expect(await page.locator("[data-leadline]").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Open chat" }).count()).toBe(0);
    expect(await sessionCount()).toBe(before);
    await page.close();
  });

  it("that frames the embed page itself is refused by the browser: no chat, no session", async () => {
    const before = await sessionCount();
    const { page, console } = await watchedPage();
    await page.goto(`${customer.origin}/framed`);
    // Chromium's words: "Framing '<widget>' violates … "frame-ancestors <the site's origins>". The request has been blocked."
    await expect.poll(() => console.find((text) => text.includes(`"frame-ancestors ${widget.url}"`) && /blocked|Refused/.test(text)), { timeout: 15_000 }).toBeDefined();
    // Give a frame that did load the time to start a session: none may appear.
    await new Promise((r) => setTimeout(r, 2_000));
    // Chromium swaps the refused frame for its error page a moment after it logs the refusal.
    await expect.poll(() => page.frames().find((f) => f !== page.mainFrame())?.url(), { timeout: 10_000 }).toMatch(/^chrome-error:/);
    expect(await page.frameLocator('iframe[title="Direct"]').getByRole("textbox", { name: "Message" }).count()).toBe(0);
    expect(await sessionCount()).toBe(before);
    await page.close();
  });
});

describe("a page on an allowed origin", () => {
  it("shows the launcher and chats, without a CSP violation, once its origin is added to the site (within seconds)", async () => {
    await setAllowedOrigins([widget.url, customer.origin]);
    const { page, console, violations } = await watchedPage();
    // The widget's server keeps a site's answer a few seconds, in the embed page's proxy and in the loader's check
    // apart (two module graphs): reload until both show the change.
    await expect
      .poll(async () => (await fetch(`${widget.url}/embed/demo`)).headers.get("content-security-policy"), { timeout: 20_000, interval: 1_000 })
      .toContain(customer.origin);
    await expect
      .poll(
        async () => {
          await page.goto(customer.origin);
          await page.waitForTimeout(500);
          return page.getByRole("button", { name: "Open chat" }).count();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(1);
    // Loads before the change showed warned, as they should: only what follows counts.
    console.length = 0;
    const before = await sessionCount();
    await chatOnce(page);
    expect(await sessionCount()).toBe(before + 1);
    expect(await violations()).toEqual([]);
    expect(console.filter((text) => text.startsWith("Leadline:"))).toEqual([]);
    await page.close();
  });

  it("the widget's own /demo page chats too, without a CSP violation", async () => {
    const { page, violations } = await watchedPage();
    await page.goto(`${widget.url}/demo`);
    await chatOnce(page);
    expect(await violations()).toEqual([]);
    await page.close();
  });
});

describe("the widget's headers", () => {
  it("the embed page may be framed by its site's allowed origins only; an unknown site's by none; other pages by none", async () => {
    await setAllowedOrigins([widget.url, "https://customer.example"]);
    await new Promise((r) => setTimeout(r, 5_500)); // past the widget server's cache
    const embed = await fetch(`${widget.url}/embed/demo`);
    const csp = embed.headers.get("content-security-policy") ?? "";
    expect(csp).toContain(`frame-ancestors ${widget.url} https://customer.example`);
    expect(csp).toContain(`connect-src 'self' ${new URL(stack.url).origin}`);
    expect(csp).toMatch(/script-src 'self' 'nonce-[\w+/=]+'/);
    expect(embed.headers.get("x-frame-options")).toBeNull();
    expect(embed.headers.get("x-content-type-options")).toBe("nosniff");
    expect(embed.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");

    const unknown = await fetch(`${widget.url}/embed/no-such-site`);
    expect(unknown.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const demo = await fetch(`${widget.url}/demo`);
    expect(demo.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(demo.headers.get("x-frame-options")).toBe("DENY");
  });

  it("fails closed when the API cannot be reached: no page may frame the chat, the loader is told no", async () => {
    const port = await freePort();
    const cut = await startNextApp({ name: "widget", dir: widgetDir, port, env: { API_URL: "http://127.0.0.1:9/trpc" }, log: silent });
    try {
      const embed = await fetch(`${cut.url}/embed/demo`);
      expect(embed.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      const check = await fetch(`${cut.url}/embed/demo/allowed`, { method: "POST", headers: { origin: widget.url } });
      expect([check.status, await check.json()]).toEqual([503, { allowed: false, reason: "unavailable" }]);
    } finally {
      await cut.stop();
    }
  });
});
