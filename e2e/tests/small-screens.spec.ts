// A learner on a phone: every Moneywise page fits 390 px without sideways scrolling, the sequence diagram
// is reachable by keyboard and does not swallow taps meant for the message list, and axe finds no serious
// violation at either width. Each page is measured at 1440 and 390 px and screenshotted.
import type { Page, TestInfo } from '@playwright/test';
import { TppInspectorPage } from '../pages/tpp-inspector-page.js';
import { accessibilityViolations } from '../src/accessibility.js';
import { expect, test } from '../src/fixtures.js';
import { connectAndShareAccounts, onboard } from '../src/flows.js';

const WIDTHS = [1440, 390] as const;

// Eight pages, two widths, axe and a screenshot each: more than the default two minutes on a busy machine.
test.setTimeout(420_000);

interface Measure {
  page: string;
  width: number;
  scrollWidth: number;
  axe: string[];
}

/** Waits for what makes each page whole (its data loaded), so the width measured is the real one. */
async function settle(page: Page, path: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  if (path.endsWith('/inspector')) await expect(page.getByTestId('timeline-entry').first()).toBeVisible();
  if (path === '/rules') await expect(page.getByTestId('rule').first()).toBeVisible();
}

async function measure(page: Page, testInfo: TestInfo, origin: string, path: string): Promise<Measure[]> {
  const results: Measure[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${origin}${path}`);
    await settle(page, path);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    const axe = await accessibilityViolations(page, new Set());
    await page.screenshot({
      path: testInfo.outputPath(`${path.replace(/[^a-z0-9]+/gi, '_')}-${width}.png`),
      fullPage: true,
    });
    results.push({ page: path, width, scrollWidth, axe });
  }
  return results;
}

test('On a 390 px phone every Moneywise page fits the screen, and the inspector works by touch and keyboard', async ({
  page,
  sandbox,
  step,
}, testInfo) => {
  const origin = sandbox.config.tpp.web.origin;
  await onboard(page, sandbox, step);
  await connectAndShareAccounts(page, sandbox, step, 'fapi2-dpop', 'private_key_jwt');
  const connection = new URL(page.url()).pathname;

  const pages = [
    '/',
    '/onboarding',
    '/onboarding/inspector',
    '/connect',
    connection,
    `${connection}/pay`,
    `${connection}/inspector`,
    '/rules',
  ];
  const figures = await step('Measure every page at 1440 and 390 px: width and axe', async () => {
    const all: Measure[] = [];
    for (const path of pages) all.push(...(await measure(page, testInfo, origin, path)));
    const table = all.map(
      (m) =>
        `${m.page.replace(/[0-9a-f-]{36}/, ':id')} @${m.width}: scrollWidth ${m.scrollWidth}, axe ${m.axe.length}`,
    );
    console.log(table.join('\n'));
    await testInfo.attach('figures', { body: JSON.stringify(all, null, 2), contentType: 'application/json' });
    return all;
  });

  await step('No page scrolls sideways at 390 px', async () => {
    expect(figures.filter((m) => m.width === 390 && m.scrollWidth > 390)).toEqual([]);
  });
  await step('axe finds no violation on any page at either width', async () => {
    expect(figures.filter((m) => m.axe.length > 0)).toEqual([]);
  });

  const inspector = new TppInspectorPage(page);
  await step('At 390 px a tap on a message in the list reaches the list, not the diagram', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${origin}${connection}/inspector`);
    const target = inspector.entries().nth(2);
    await target.scrollIntoViewIfNeeded();
    const hit = await target.evaluate((element) => {
      const box = element.getBoundingClientRect();
      const found = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      return element.contains(found);
    });
    expect(hit).toBe(true);
    await target.click();
    await expect(target).toHaveAttribute('aria-pressed', 'true');
  });

  await step(
    'The diagram is one tab stop: the arrow keys move between messages and select them',
    async () => {
      const arrows = inspector.sequenceDiagram().getByTestId('sequence-message');
      await expect(arrows.and(page.locator('[tabindex="0"]'))).toHaveCount(1);
      await arrows.nth(2).focus();
      await page.keyboard.press('ArrowDown');
      await expect(arrows.nth(3)).toBeFocused();
      await expect(inspector.entries().nth(3)).toHaveAttribute('aria-pressed', 'true');
      expect(new URL(page.url()).hash).toMatch(/^#message-/);
    },
  );

  await step('A clause chip opens its text in a dialog that fits the phone; Escape closes it', async () => {
    const chip = inspector.detail().getByTestId('clause-chip').first();
    await chip.click();
    const dialog = page.getByTestId('clause-dialog');
    await expect(dialog).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await accessibilityViolations(page, new Set())).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(chip).toBeFocused();
  });

  await step('The permalink opens the same message, selected', async () => {
    const selected = await inspector.detail().getByRole('heading', { level: 2 }).textContent();
    await page.goto(page.url());
    await expect(inspector.detail().getByRole('heading', { level: 2 })).toHaveText(selected ?? '');
  });

  await step('The diagram downloads as an SVG that stands alone', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('export-svg').click();
    const file = await (await download).path();
    const fs = await import('node:fs');
    const svg = fs.readFileSync(file, 'utf8');
    expect(svg).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    expect(svg).not.toMatch(/class=|<style|<link|<script/);
  });
});
