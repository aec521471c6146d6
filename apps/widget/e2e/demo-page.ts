import type { FrameLocator, Page } from "playwright-core";
import { expect } from "vitest";

/** Opens the widget's /demo page and its chat; resolves once the greeting shows (the session is started, input is open). */
export async function openDemoChat(page: Page, widgetUrl: string): Promise<FrameLocator> {
  await page.goto(`${widgetUrl}/demo`);
  await page.getByRole("button", { name: "Open chat" }).click();
  const chat = page.frameLocator('iframe[title="Chat"]');
  await expect.poll(() => chat.getByRole("log").textContent(), { timeout: 30_000 }).toMatch(/Demo/);
  return chat;
}
