/** A long conversation opens on its latest messages; older ones come a page at a time, on request. */
import { chatMessages } from "@leadline/db/schema";
import { TEST_ADMIN } from "@leadline/server/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

import { startAdminStack, type AdminStack } from "./admin-stack";

const MESSAGES = 120;

let setup: AdminStack;
let sessionId: string;

beforeAll(async () => {
  setup = await startAdminStack();
  ({ sessionId } = await setup.stack.client().chat.startSession.mutate({ siteKey: "demo" }));
  const start = Date.now() - MESSAGES * 1000;
  await setup.stack.database.db.insert(chatMessages).values(
    Array.from({ length: MESSAGES }, (_, i) => ({
      organizationId: setup.stack.organizationId,
      sessionId,
      role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
      content: `message ${i}`,
      createdAt: new Date(start + i * 1000),
    })),
  );
});
afterAll(() => setup?.stop());

it("shows the latest 50 of 120 messages, then older ones with each press of “Load older messages”, oldest first", async () => {
  const page = await (await setup.browser.newContext()).newPage();
  await setup.signIn(page, TEST_ADMIN);
  await page.goto(`${setup.admin.url}/conversations/${sessionId}`);
  const messages = page.getByRole("list", { name: "Messages" }).getByRole("article");
  const older = page.getByRole("button", { name: "Load older messages" });

  await expect.poll(() => messages.count(), { timeout: 15_000 }).toBe(50);
  expect(await page.getByText(`${MESSAGES} messages`).count()).toBe(1);
  expect(await messages.first().textContent()).toContain("message 70");
  expect(await messages.last().textContent()).toContain(`message ${MESSAGES - 1}`);

  await older.click();
  await expect.poll(() => messages.count(), { timeout: 15_000 }).toBe(100);
  await older.click();
  await expect.poll(() => messages.count(), { timeout: 15_000 }).toBe(MESSAGES);
  expect(await messages.first().textContent()).toContain("message 0");
  expect(await older.count()).toBe(0);
});
