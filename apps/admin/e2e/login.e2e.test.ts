/** The login page when the API refuses an address for a while: the admin is told how long to wait. */
import { loginThrottles } from "@leadline/db/schema";
import { TEST_ADMIN } from "@leadline/server/testing";
import { sql } from "drizzle-orm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startAdminStack, type AdminStack } from "./admin-stack";

let setup: AdminStack;
beforeAll(async () => {
  setup = await startAdminStack();
});
afterAll(() => setup?.stop());

/** Clicks "Sign in" and waits for the API's answer. */
async function submit(page: Page) {
  await Promise.all([page.waitForResponse((r) => r.url().includes("auth.login")), page.getByRole("button", { name: "Sign in" }).click()]);
}

describe("login page", () => {
  it("after five wrong passwords it says how long to wait and keeps the password typed; once the wait is over, it signs in", async () => {
    const page = await setup.browser.newPage();
    await page.goto(`${setup.admin.url}/login`);
    await page.getByLabel("Email").fill(TEST_ADMIN.email);
    const password = page.getByLabel("Password");
    // The form's own alert, not the route announcer Next adds to every page.
    const alert = page.locator("form").getByRole("alert");
    for (let i = 0; i < 5; i += 1) {
      await password.fill(`wrong-${i}`);
      await submit(page);
      await expect.poll(() => alert.textContent()).toBe("Invalid email or password");
      // A wrong password is cleared, for the next try.
      await expect.poll(() => password.inputValue()).toBe("");
    }

    await password.fill(TEST_ADMIN.password);
    await submit(page);
    await expect.poll(() => alert.textContent()).toBe("Too many failed attempts from this address. Try again in 1 minute.");
    // It was not checked, so it is not known to be wrong: kept for the retry.
    expect(await password.inputValue()).toBe(TEST_ADMIN.password);

    // The wait is over (time is moved, not waited for).
    await setup.stack.database.db.update(loginThrottles).set({ lockedUntil: sql`now() - interval '1 second'` });
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname !== "/login", { timeout: 15_000 });
    await page.close();
  });
});
