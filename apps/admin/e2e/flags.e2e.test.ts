import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { hashPassword } from "@leadline/db/password";
import { adminUsers } from "@leadline/db/schema";
import { freePort } from "@leadline/db/testing";
import { TEST_ADMIN_TOKEN, TEST_BACKEND_TOKEN } from "@leadline/flags/testing";
import "@leadline/flags/testing/provided";
import { createUnleashAdmin } from "@leadline/flags/unleash-admin";
import { startNextApp } from "@leadline/server/next-apps";
import { startTestStack, TEST_ADMIN, type TestStack } from "@leadline/server/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { launchBrowser } from "@leadline/testing/browser";

const adminDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const resultsDir = join(adminDir, "test-results");
const silent = { info() {}, warn() {} };
const VIEWER = { email: "viewer@test.example", password: "viewer-password" };
const FLAG = "pipeline.enhancement";

type AdminApp = { stack: TestStack; app: Awaited<ReturnType<typeof startNextApp>>; stop(): Promise<void> };

let stack: TestStack;
let app: AdminApp["app"];
let browser: Browser;
let unleash: ReturnType<typeof createUnleashAdmin>;
let rolloutBefore: { enabled: boolean; rollout: number } | null = null;

/** A backend that talks to the given Unleash, and the built admin app pointed at it. */
async function startAdminApp(unleashUrl: string): Promise<AdminApp> {
  const port = await freePort();
  const backend = await startTestStack({
    unleash: { url: unleashUrl, clientToken: TEST_BACKEND_TOKEN, adminToken: TEST_ADMIN_TOKEN },
    env: { ADMIN_ORIGIN: `http://localhost:${port}` },
  });
  // The session cookie is SameSite=Lax: the browser sends it to the API only when both are the same site,
  // and localhost is not the same site as 127.0.0.1 (where the stack listens).
  const apiUrl = `${backend.url.replace("//127.0.0.1:", "//localhost:")}/trpc`;
  const nextApp = await startNextApp({ name: "admin", dir: adminDir, port, env: { API_URL: apiUrl }, log: silent }).catch(async (error: unknown) => {
    await backend.stop();
    throw error;
  });
  return {
    stack: backend,
    app: nextApp,
    async stop() {
      await nextApp.stop();
      await backend.stop();
    },
  };
}

async function addUser(target: TestStack, user: { email: string; password: string }, role: "admin" | "viewer") {
  await target.database.db.insert(adminUsers).values({ organizationId: target.organizationId, email: user.email, role, passwordHash: await hashPassword(user.password) });
}

let main: AdminApp | undefined;

beforeAll(async () => {
  const unleashUrl = inject("testUnleashUrl");
  unleash = createUnleashAdmin({ url: unleashUrl, token: TEST_ADMIN_TOKEN });
  main = await startAdminApp(unleashUrl);
  ({ stack, app } = main);
  // Unleash is shared by the whole test run, and other tests move this flag: start from a known state.
  rolloutBefore = await unleash.getFlag(FLAG);
  await unleash.setEnabled(FLAG, true);
  await unleash.setRollout(FLAG, 100);
  await addUser(stack, VIEWER, "viewer");
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  // Leave the shared flag as it was found.
  if (unleash && rolloutBefore) {
    await unleash.setRollout(FLAG, rolloutBefore.rollout);
    await unleash.setEnabled(FLAG, rolloutBefore.enabled);
  }
  await main?.stop();
});

/** A browser profile of its own (its own cookies), on the given page. */
async function openPage(path: string, viewport = { width: 1100, height: 900 }, base = app.url): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${base}${path}`);
  return { context, page };
}

async function signIn(page: Page, login: { email: string; password: string }) {
  await page.getByLabel("Email").fill(login.email);
  await page.getByLabel("Password").fill(login.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Some chat traffic, so the cohort tables have numbers to show. */
async function chat(messages: number) {
  const client = stack.client();
  const { sessionToken } = await client.chat.startSession.mutate({ siteKey: "demo" });
  for (let i = 0; i < messages; i += 1) {
    const events = await client.chat.send.mutate({ sessionToken, clientMessageId: `m-${crypto.randomUUID()}`, text: `Hello number ${i}` });
    for await (const _ of events);
  }
}

describe("the admin app's sign-in", () => {
  it("a wrong password shows the generic error and keeps the email", async () => {
    const { context, page } = await openPage("/flags");
    // Signed out: the flags page sends us to sign in.
    await page.waitForURL(/\/login\?next=%2Fflags$/, { timeout: 15_000 });
    await signIn(page, { email: TEST_ADMIN.email, password: "not-the-password" });
    await expect.poll(() => page.locator("form").getByRole("alert").textContent(), { timeout: 10_000 }).toBe("Invalid email or password");
    expect(await page.getByLabel("Email").inputValue()).toBe(TEST_ADMIN.email);
    expect(page.url()).toMatch(/\/login\?next=%2Fflags$/);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, "login-error.png") });
    await context.close();
  });
});

describe("the flags page", () => {
  it("an admin rolls a flag out to 10 % with a reason; the page and Unleash show it", async () => {
    await chat(4);
    const { context, page } = await openPage("/flags");
    await page.waitForURL(/\/login\?next=%2Fflags$/, { timeout: 15_000 });
    await signIn(page, TEST_ADMIN);
    await page.waitForURL(/\/flags$/, { timeout: 15_000 });
    await expect.poll(() => page.getByRole("banner").textContent()).toContain(`${TEST_ADMIN.email} admin`);

    const card = page.getByRole("article", { name: FLAG, exact: true });
    await expect.poll(() => card.getByTestId("rollout").textContent(), { timeout: 15_000 }).toBe("100 %");
    expect(await card.getByRole("button", { name: `Set ${FLAG} to 100 %` }).getAttribute("aria-pressed")).toBe("true");

    // By keyboard: Enter opens the dialog with the cursor in Reason, Escape cancels and gives focus back.
    const fifty = card.getByRole("button", { name: `Set ${FLAG} to 50 %` });
    await fifty.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: `Set ${FLAG} to 50 %?` }).waitFor({ state: "visible" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("reason");
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "hidden" });
    expect(await fifty.evaluate((button) => button === document.activeElement)).toBe(true);

    await card.getByRole("button", { name: `Set ${FLAG} to 10 %` }).click();
    const dialog = page.getByRole("dialog", { name: `Set ${FLAG} to 10 %?` });
    await dialog.waitFor({ state: "visible" });
    mkdirSync(resultsDir, { recursive: true });
    // The reason is required: nothing is sent without one.
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => dialog.textContent()).toContain("Say why (at least 3 characters)");
    expect(await unleash.getFlag(FLAG)).toMatchObject({ rollout: 100 });

    await dialog.getByLabel("Reason").fill("first step of the rollout");
    await page.screenshot({ path: join(resultsDir, "flags-dialog.png") });
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await dialog.waitFor({ state: "hidden", timeout: 15_000 });

    await expect.poll(() => card.getByTestId("rollout").textContent(), { timeout: 15_000 }).toBe("10 %");
    expect(await card.getByRole("button", { name: `Set ${FLAG} to 10 %` }).getAttribute("aria-pressed")).toBe("true");
    expect(await card.getByRole("button", { name: `Set ${FLAG} to 100 %` }).getAttribute("aria-pressed")).toBe("false");
    await expect.poll(() => card.getByTestId("last-change").textContent()).toBe(`Last changeRollout changed, just now, by ${TEST_ADMIN.email}: “first step of the rollout”`);
    expect(await page.getByRole("status").filter({ hasText: "now on at 10 %" }).count()).toBe(1);
    expect(await unleash.getFlag(FLAG)).toMatchObject({ enabled: true, rollout: 10, stickiness: "sessionId" });

    // The cohort table counts the messages sent above (each records the flags it ran with).
    await expect.poll(() => card.getByRole("table").textContent(), { timeout: 15_000 }).toMatch(/Messages\s*[1-9]/);
    await page.screenshot({ path: join(resultsDir, "flags.png"), fullPage: true });

    // The precise control: a value outside 0–100 is refused on the spot, a good one goes through the same dialog.
    const field = card.getByLabel(`Rollout % for ${FLAG}`);
    await field.fill("150");
    await card.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => card.textContent()).toContain("Enter a whole number from 0 to 100");
    await field.fill("25");
    await card.getByRole("button", { name: "Apply" }).click();
    const precise = page.getByRole("dialog", { name: `Set ${FLAG} to 25 %?` });
    await precise.getByLabel("Reason").fill("a finer step");
    await precise.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => card.getByTestId("rollout").textContent(), { timeout: 15_000 }).toBe("25 %");
    expect(await unleash.getFlag(FLAG)).toMatchObject({ rollout: 25 });

    // Already signed in: the login page sends us on.
    await page.goto(`${app.url}/login`);
    await page.waitForURL((url) => url.pathname === "/", { timeout: 15_000 });
    await context.close();
  });

  it("is readable at 360 px: nothing overflows sideways", async () => {
    const { context, page } = await openPage("/login?next=%2Fflags", { width: 360, height: 740 });
    await signIn(page, TEST_ADMIN);
    await page.waitForURL(/\/flags$/, { timeout: 15_000 });
    await page.getByRole("article", { name: FLAG, exact: true }).getByRole("table").waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(resultsDir, "flags-360.png"), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);

    // Signing out ends the session: the flags page then asks to sign in again.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login$/, { timeout: 15_000 });
    await page.goto(`${app.url}/flags`);
    await page.waitForURL(/\/login\?next=%2Fflags$/, { timeout: 15_000 });
    await context.close();
  });

  it("a viewer sees every flag but cannot change any", async () => {
    const { context, page } = await openPage("/login?next=%2Fflags");
    await signIn(page, VIEWER);
    await page.waitForURL(/\/flags$/, { timeout: 15_000 });
    await expect.poll(() => page.getByTestId("viewer-note").textContent(), { timeout: 15_000 }).toContain("only an admin can change them");
    const card = page.getByRole("article", { name: FLAG, exact: true });
    await expect.poll(() => card.getByTestId("rollout").textContent(), { timeout: 15_000 }).toMatch(/^\d+ %$/);
    for (const step of [0, 10, 50, 100]) expect(await card.getByRole("button", { name: `Set ${FLAG} to ${step} %` }).isDisabled()).toBe(true);
    expect(await card.getByRole("button", { name: "Apply" }).isDisabled()).toBe(true);
    expect(await card.getByRole("button", { name: /^Turn (on|off)/ }).isDisabled()).toBe(true);
    expect(await card.getByLabel(`Rollout % for ${FLAG}`).isDisabled()).toBe(true);
    await page.screenshot({ path: join(resultsDir, "flags-viewer.png") });
    await context.close();
  });

  it("a change the server refuses is explained in the dialog, and nothing changes", async () => {
    const demoted = { email: "demoted@test.example", password: "demoted-password" };
    await addUser(stack, demoted, "admin");
    const { context, page } = await openPage("/login?next=%2Fflags");
    await signIn(page, demoted);
    await page.waitForURL(/\/flags$/, { timeout: 15_000 });
    const card = page.getByRole("article", { name: FLAG, exact: true });
    await card.getByRole("button", { name: `Set ${FLAG} to 0 %` }).click();
    const before = await unleash.getFlag(FLAG);
    // Made a viewer while the page is open: the API refuses, whatever the page still offers.
    await stack.database.db.update(adminUsers).set({ role: "viewer" }).where(eq(adminUsers.email, demoted.email));
    const dialog = page.getByRole("dialog", { name: `Set ${FLAG} to 0 %?` });
    await dialog.getByLabel("Reason").fill("switch it off for everyone");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => dialog.getByRole("alert").textContent(), { timeout: 10_000 }).toBe("Viewers cannot change anything");
    expect(await dialog.getByLabel("Reason").inputValue()).toBe("switch it off for everyone");
    expect(await unleash.getFlag(FLAG)).toEqual(before);
    await context.close();
  });
});

describe("the flags page while Unleash is down", () => {
  let down: AdminApp | undefined;
  beforeAll(async () => {
    // Nothing listens there: the API starts on the defaults in code and says Unleash is unavailable.
    down = await startAdminApp(`http://127.0.0.1:${await freePort()}`);
  });
  afterAll(() => down?.stop());

  it("says so at the top and offers no change", async () => {
    const { context, page } = await openPage("/login?next=%2Fflags", undefined, down!.app.url);
    await signIn(page, TEST_ADMIN);
    await page.waitForURL(/\/flags$/, { timeout: 15_000 });
    await expect.poll(() => page.getByRole("alert").filter({ hasText: "Unleash" }).textContent(), { timeout: 15_000 }).toContain("Unleash is unavailable");
    const card = page.getByRole("article", { name: FLAG, exact: true });
    expect(await card.getByTestId("rollout").textContent()).toBe("—");
    expect(await card.getByRole("button", { name: `Set ${FLAG} to 10 %` }).isDisabled()).toBe(true);
    await context.close();
  });
});
