// Every page a scenario reaches is checked with axe-core (WCAG 2.1 A and AA rules) after each step, so a
// screen a learner sees cannot lose its labels, headings or contrast without a scenario failing.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

/**
 * The violations on the page as it is now: one line per rule, with the first element it found. A page
 * (origin and path) already in `checked` is skipped, so a scenario pays for each screen once.
 */
export async function accessibilityViolations(page: Page, checked: Set<string>): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    await page.waitForLoadState('load');
    const url = new URL(page.url());
    const key = `${url.origin}${url.pathname}`;
    if (url.protocol !== 'https:' || checked.has(key)) return [];
    try {
      const violations = await analyze(page);
      checked.add(key);
      return violations;
    } catch (err) {
      // A step may end while its page is still leaving (a click that submits to another party): axe is then
      // injected into the page that leaves and run in the one that arrives, or its page goes away mid-run.
      // Check the page it lands on instead, once the browser has moved to it.
      const leaving =
        page.url() !== url.href || /context was destroyed|navigat|reading 'run'/i.test(String(err));
      if (!leaving || attempt === NAVIGATION_RETRIES) throw err;
      await page.waitForURL((now) => now.href !== url.href, { timeout: 2_000 }).catch(() => undefined);
    }
  }
}

/** How many pages in a row may leave under the check before it gives up. */
const NAVIGATION_RETRIES = 4;

async function analyze(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    // The demo caption is the test's own overlay, not the sandbox's page.
    .exclude('#fapi-demo-caption')
    // A page without frames gets the same rules from one axe.run as from runPartial per frame and then
    // finishRun, which opens a blank page and injects axe a second time; a page with frames keeps that.
    .setLegacyMode(page.frames().length === 1)
    .analyze();
  return results.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} element(s), e.g. ${v.nodes[0]?.target.join(' ')}`,
  );
}

/**
 * At each width (1440 and 390 px unless told): `shown` is visible, the page needs no sideways scrolling,
 * and axe finds nothing; with `screenshotPath`, a full-page screenshot per width is saved there.
 */
export async function expectUsableAtWidths(
  page: Page,
  shown: Locator,
  options: { widths?: number[]; screenshotPath?: (width: number) => string } = {},
): Promise<void> {
  for (const width of options.widths ?? [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await expect(shown).toBeVisible();
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `width ${width}`).toBeLessThanOrEqual(width);
    expect(await accessibilityViolations(page, new Set())).toEqual([]);
    if (options.screenshotPath)
      await page.screenshot({ path: options.screenshotPath(width), fullPage: true });
  }
}
