/**
 * What the admin app's browser tests share: a backend on the shared Unleash,
 * the built admin app pointed at it (and the widget app, for tests that chat
 * on its demo page), Debian's Chromium, and small helpers to sign in, add a
 * user, chat and read tables.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { hashPassword } from "@leadline/db/password";
import { adminUsers } from "@leadline/db/schema";
import { freePort } from "@leadline/db/testing";
import { TEST_ADMIN_TOKEN, TEST_BACKEND_TOKEN } from "@leadline/flags/testing";
import "@leadline/flags/testing/provided";
import { startNextApp } from "@leadline/server/next-apps";
import { startTestStack, type TestStack } from "@leadline/server/testing";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { inject } from "vitest";

import { launchBrowser } from "@leadline/testing/browser";

const adminDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const widgetDir = join(adminDir, "..", "widget");
/** Where screenshots go (gitignored). */
export const resultsDir = join(adminDir, "test-results");
const silent = { info() {}, warn() {} };

type NextApp = Awaited<ReturnType<typeof startNextApp>>;
export type Login = { email: string; password: string };

export type AdminStack = {
  stack: TestStack;
  admin: NextApp;
  /** Only when asked for: the widget app, whose /demo page the admin app links to. */
  widget: NextApp | null;
  browser: Browser;
  addUser(user: Login, role: "admin" | "viewer"): Promise<void>;
  /** Signs in on the login page and waits to be sent on. */
  signIn(page: Page, login: Login): Promise<void>;
  /** A browser profile of its own (its own cookies), signed in, on the given page of the admin app. */
  openAs(login: Login, path: string, viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }>;
  /** Chats through the API as the widget does, in one new session on the demo site, waiting for each answer to finish. */
  chat(texts: readonly string[]): Promise<void>;
  stop(): Promise<void>;
};

/** The real flags from the shared Unleash, as under pnpm start: whichever way the stages run, the pages must show their numbers. */
export async function startAdminStack(options: { widget?: boolean } = {}): Promise<AdminStack> {
  const adminPort = await freePort();
  const widgetOrigin = options.widget ? `http://localhost:${await freePort()}` : null;
  const stack = await startTestStack({
    ...(widgetOrigin ? { origins: [widgetOrigin] } : {}),
    env: { ADMIN_ORIGIN: `http://localhost:${adminPort}` },
    unleash: { url: inject("testUnleashUrl"), clientToken: TEST_BACKEND_TOKEN, adminToken: TEST_ADMIN_TOKEN },
  });
  const started: { stop(): Promise<unknown> }[] = [stack];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop();
  };
  try {
    // The admin's session cookie is SameSite=Lax: the API must be the same site as the admin app (localhost, not 127.0.0.1).
    const adminApiUrl = `${stack.url.replace("//127.0.0.1:", "//localhost:")}/trpc`;
    const widget = widgetOrigin
      ? await startNextApp({ name: "widget", dir: widgetDir, port: Number(new URL(widgetOrigin).port), env: { API_URL: `${stack.url}/trpc` }, log: silent })
      : null;
    if (widget) started.push(widget);
    const admin = await startNextApp({
      name: "admin",
      dir: adminDir,
      port: adminPort,
      env: { API_URL: adminApiUrl, ...(widget ? { WIDGET_URL: widget.url } : {}) },
      log: silent,
    });
    started.push(admin);
    const browser = await launchBrowser();
    started.push({ stop: () => browser.close() });
    mkdirSync(resultsDir, { recursive: true });
    const signIn = async (page: Page, login: Login) => {
      await page.goto(`${admin.url}/login`);
      await page.getByLabel("Email").fill(login.email);
      await page.getByLabel("Password").fill(login.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => url.pathname !== "/login", { timeout: 15_000 });
    };
    return {
      stack,
      admin,
      widget,
      browser,
      async addUser(user, role) {
        await stack.database.db
          .insert(adminUsers)
          .values({ organizationId: stack.organizationId, email: user.email, role, passwordHash: await hashPassword(user.password) });
      },
      signIn,
      async openAs(login, path, viewport = { width: 1200, height: 900 }) {
        const context = await browser.newContext({ viewport });
        const page = await context.newPage();
        await signIn(page, login);
        await page.goto(`${admin.url}${path}`);
        return { context, page };
      },
      async chat(texts) {
        const client = stack.client(widgetOrigin ?? undefined);
        const { sessionToken } = await client.chat.startSession.mutate({ siteKey: "demo" });
        for (const text of texts) {
          const events = await client.chat.send.mutate({ sessionToken, clientMessageId: `m-${crypto.randomUUID()}`, text });
          for await (const _ of events);
        }
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A part of a page named by its heading (see Panel). */
export const region = (page: Page, name: string) => page.getByRole("region", { name, exact: true });

/** The body rows of a table, each as its cells' text. */
export async function rowsOf(table: Locator): Promise<string[][]> {
  return table.locator("tbody tr").evaluateAll((rows) => rows.map((row) => Array.from(row.querySelectorAll("th, td"), (cell) => cell.textContent?.trim() ?? "")));
}
