// FAPI 1.0 Baseline, the first rung of the ladder: Alice connects Moneywise with a plain authorization
// request and reads her accounts with a bearer token; the inspector says the token is bound to nothing and
// shows what Advanced and FAPI 2.0 add. Every step passes axe (the fixture checks each page), at 1440 and
// at 390 px.
import { TppConnectPage } from '../pages/tpp-connect-page.js';
import { TppInspectorPage } from '../pages/tpp-inspector-page.js';
import { expect, test } from '../src/fixtures.js';
import { connectAndShareAccounts, onboard } from '../src/flows.js';

for (const width of [1440, 390] as const) {
  test(`Alice connects with FAPI 1.0 Baseline and reads her accounts with a bearer token (${width} px)`, async ({
    page,
    sandbox,
    step,
  }) => {
    await page.setViewportSize({ width, height: 900 });
    await onboard(page, sandbox, step);
    await step('The connect page shows the ladder: what Advanced and FAPI 2.0 add to Baseline', async () => {
      await new TppConnectPage(page).open(sandbox.config.tpp.web.origin);
      const ladder = page.getByTestId('profile-ladder');
      await expect(ladder).toContainText('Replay of a stolen token');
      await expect(ladder).toContainText('FAPI 1.0 Adv §5.2.2-1');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    });
    const connection = await connectAndShareAccounts(
      page,
      sandbox,
      step,
      'fapi1-baseline',
      'private_key_jwt',
    );
    await step('Moneywise reads both accounts with the bearer token', async () => {
      await expect(connection.accounts()).toHaveCount(2);
    });
    await step('The inspector shows a bearer token, bound to nothing, and the ladder', async () => {
      await connection.openInspector();
      const inspector = new TppInspectorPage(page);
      await inspector.open(/Read accounts/);
      await expect(inspector.binding()).toContainText('A bearer token: no cnf, bound to nothing');
      await expect(page.getByTestId('timeline-bearer')).toContainText('FAPI 1.0 Advanced binds it');
      await expect(page.getByTestId('profile-ladder')).toBeVisible();
    });
    await step('The inspector explains the plain authorization request the browser carried', async () => {
      const inspector = new TppInspectorPage(page);
      await inspector.open(/Send the customer to the bank/);
      await expect(inspector.detail()).toContainText('every authorization parameter in the URL, unsigned');
    });
  });
}
