// The rule catalogue as a learner meets it: every rule of the bank's posture and pipeline, with the
// attacks that demonstrate it; filtered by profile and by text; a clause opened; a link followed to the
// attack's description; and the page whole at 390 px (no sideways scrolling, axe clean).
import { TppRulesPage } from '../pages/tpp-rules-page.js';
import { accessibilityViolations } from '../src/accessibility.js';
import { expect, test } from '../src/fixtures.js';

test('The Rules page lists every rule with the attack that demonstrates it, and fits a phone', async ({
  page,
  sandbox,
  step,
}, testInfo) => {
  const rules = new TppRulesPage(page);
  const origin = sandbox.config.tpp.web.origin;
  await page.setViewportSize({ width: 1440, height: 900 });

  await step('Open Moneywise and follow the Rules link in the navigation', () => rules.openFromNav(origin));

  await step('The page counts the rules that have an attack, and marks those that have none', async () => {
    await expect(rules.count()).toContainText(/\d+ of \d+ rules have an attack/);
    await expect(rules.rule('bank-op:code-single-use').first()).toContainText(
      'An authorization code is redeemed a second time',
    );
    await expect(page.getByTestId('no-attack').first()).toHaveText('No attack yet');
    await page.screenshot({ path: testInfo.outputPath('rules-1440.png') });
  });

  await step('Filter by FAPI 2.0: the FAPI 1.0 Advanced rules leave the page', async () => {
    await expect(rules.sectionHeading('Bank OP · FAPI 1.0 Advanced')).toBeVisible();
    await rules.filterByProfile('FAPI 2.0');
    await expect(rules.sectionHeading('Bank OP · FAPI 1.0 Advanced')).toHaveCount(0);
    await expect(rules.sectionHeading('Bank OP · FAPI 2.0 Security Profile')).toBeVisible();
    await expect(rules.shown()).toContainText('under FAPI 2.0');
  });

  await step('Find the rules about PKCE', async () => {
    await rules.findText('PKCE');
    await expect(rules.shown()).toContainText('matching “PKCE”');
    const count = await rules.rules().count();
    expect(count).toBeGreaterThan(0);
    for (let i = 0; i < count; i++) await expect(rules.rules().nth(i)).toContainText(/PKCE|pkce|RFC 7636/);
  });

  await step('Open the clause of the first rule, read it, close it', async () => {
    const chip = rules.rules().first().getByTestId('clause-chip');
    await chip.click();
    const dialog = page.getByTestId('clause-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('heading', { level: 2 })).toHaveText((await chip.textContent()) ?? '');
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(chip).toBeFocused();
  });

  await step('Follow an attack link to the attack: its threat and who refuses it', async () => {
    await rules.findText('');
    const link = rules.rule('bank-op:code-single-use').first().getByRole('link').first();
    const href = await link.getAttribute('href');
    await link.click();
    await expect(page).toHaveURL(new RegExp(`${href}$`));
    const attack = page.locator(href ?? '#none');
    await expect(attack).toBeInViewport();
    await expect(attack).toContainText('Without the rule:');
    await expect(attack).toContainText('the bank’s authorization server');
    await page.screenshot({ path: testInfo.outputPath('rules-attack-1440.png') });
  });

  await step('On a 390 px phone the page does not scroll sideways and axe finds nothing', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${origin}/rules`);
    await expect(rules.count()).toBeVisible();
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.screenshot({ path: testInfo.outputPath('rules-390.png') });
    await page.locator('#attack-code-reuse').scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('rules-attack-390.png') });
    console.log(`/rules @390: scrollWidth ${scrollWidth}`);
    expect(scrollWidth).toBeLessThanOrEqual(390);
    expect(await accessibilityViolations(page, new Set())).toEqual([]);
  });
});
