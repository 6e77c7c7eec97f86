import type { Locator, Page } from '@playwright/test';

/**
 * Clicks a button that submits a form and waits until the page the server answers with has loaded, so
 * that the step's effect is on screen when it ends (its demo screenshot shows the answer, not the form).
 */
export async function submit(page: Page, button: Locator): Promise<void> {
  const answered = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await button.click();
  await answered;
  await page.waitForLoadState('load');
}
