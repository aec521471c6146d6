/**
 * The admin app under its own Content-Security-Policy, in Chromium: no other
 * page may frame it, and its pages work without a single CSP violation.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { chatSessions } from "@leadline/db/schema";
import { TEST_ADMIN } from "@leadline/server/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startAdminStack, type AdminStack } from "./admin-stack";

let setup: AdminStack;
let framer: { server: Server; url: string };

/** Another site's page that frames the admin app's login page (clickjacking). */
function startFramingPage(adminUrl: string) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><title>Framer</title><iframe title="Admin" src="${adminUrl}/login" width="800" height="600"></iframe>`);
  });
  return new Promise<{ server: Server; url: string }>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })),
  );
}

beforeAll(async () => {
  setup = await startAdminStack();
  framer = await startFramingPage(setup.admin.url);
});
afterAll(async () => {
  await new Promise((r) => framer?.server.close(r));
  await setup?.stop();
});

/**
 * A page whose browser messages and CSP violations (in any of its frames) are
 * kept. Chromium's own messages (a refused frame, a blocked script) reach the
 * DevTools log, not page.on("console"), so that log is read.
 */
async function watchedPage(): Promise<{ page: Page; log: string[]; violations: () => Promise<string[]> }> {
  const page = await (await setup.browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  const log: string[] = [];
  const devtools = await page.context().newCDPSession(page);
  devtools.on("Log.entryAdded", ({ entry }) => log.push(entry.text));
  await devtools.send("Log.enable");
  await page.addInitScript(() => {
    const seen: string[] = ((window as { __cspViolations?: string[] }).__cspViolations = []);
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // The listener's list starts again with each document: call this before leaving one.
  const violations = async () => {
    const seen = await page.evaluate(() => (window as { __cspViolations?: string[] }).__cspViolations ?? []);
    return [...seen, ...log.filter((text) => /Content Security Policy/.test(text))];
  };
  return { page, log, violations };
}

describe("the admin app's headers", () => {
  it("refuses to be framed by another page, and says so in its headers", async () => {
    const { page, log } = await watchedPage();
    await page.goto(framer.url);
    await expect.poll(() => log.find((text) => text.includes(`"frame-ancestors 'none'"`)), { timeout: 15_000 }).toBeDefined();
    // Chromium swaps the refused frame for its error page a moment after it logs the refusal.
    await expect.poll(() => page.frames().find((f) => f !== page.mainFrame())?.url(), { timeout: 10_000 }).toMatch(/^chrome-error:/);
    expect(await page.frameLocator('iframe[title="Admin"]').getByRole("button", { name: "Sign in" }).count()).toBe(0);

    const login = await fetch(`${setup.admin.url}/login`);
    const csp = login.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[\w+/=]+'/);
    expect(csp).toContain(`connect-src 'self' ${new URL(setup.stack.url.replace("//127.0.0.1:", "//localhost:")).origin}`);
    expect(login.headers.get("x-frame-options")).toBe("DENY");
    expect(login.headers.get("x-content-type-options")).toBe("nosniff");
    expect(login.headers.get("referrer-policy")).toBe("same-origin");
    await page.close();
  });

  it("every page works under its CSP: signing in and visiting each section causes no violation", async () => {
    await setup.chat(["Hi, I'm Ada Lovelace, ada@example.com, CTO at Analytical Engines"]);
    const [session] = await setup.stack.database.db.select({ id: chatSessions.id }).from(chatSessions);
    const { page, violations } = await watchedPage();
    await setup.signIn(page, TEST_ADMIN);
    const sections: [path: string, heading: RegExp][] = [
      ["/", /Dashboard/],
      ["/leads", /Leads/],
      ["/conversations", /Conversations/],
      [`/conversations/${session!.id}`, /Conversation /],
      ["/flags", /Flags/],
      ["/reports", /Reports/],
      ["/alerts", /Alerts/],
    ];
    const seen = new Set<string>();
    for (const [path, heading] of sections) {
      await page.goto(`${setup.admin.url}${path}`);
      await expect.poll(() => page.getByRole("heading", { level: 1 }).first().textContent(), { timeout: 15_000 }).toMatch(heading);
      for (const violation of await violations()) seen.add(`${path}: ${violation}`);
    }
    // Client-side navigation too, as an admin moves around.
    await page.getByRole("link", { name: "Leads" }).first().click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).first().textContent(), { timeout: 15_000 }).toMatch(/Leads/);
    for (const violation of await violations()) seen.add(`/alerts → /leads: ${violation}`);
    expect([...seen]).toEqual([]);
    await page.close();
  });
});
