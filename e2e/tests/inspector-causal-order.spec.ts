import type { Profile } from '../pages/tpp-connect-page.js';
import { TppInspectorPage } from '../pages/tpp-inspector-page.js';
import { expect, test } from '../src/fixtures.js';
import { connectAndShareAccounts, onboard } from '../src/flows.js';

// The parties run as processes of their own, each stamping its trace with its own clock: the inspector
// still lists the cause before the effect, and groups the messages by phase.
const PROFILES: { title: string; profile: Profile }[] = [
  { title: 'FAPI 2.0 with DPoP', profile: 'fapi2-dpop' },
  { title: 'FAPI 2.0 with mTLS', profile: 'fapi2-mtls' },
  { title: 'FAPI 1.0 Advanced', profile: 'fapi1-advanced' },
];

for (const { title, profile } of PROFILES) {
  test(`With ${title}, the inspector lists the bank's redirect before Alice's return to Moneywise`, async ({
    page,
    sandbox,
    step,
  }) => {
    await onboard(page, sandbox, step);
    const connection = await connectAndShareAccounts(page, sandbox, step, profile, 'private_key_jwt');
    await step('Open the flow inspector: the start of the connection is selected', async () => {
      await connection.openInspector();
      const inspector = new TppInspectorPage(page);
      await expect(inspector.entries().first()).toBeVisible();
      await expect(inspector.entries().and(page.locator('[aria-pressed="true"]'))).toHaveText(
        /Client-credentials token/,
      );
    });
    await step('The messages are grouped by phase, cause before effect', async () => {
      const phases = page.getByTestId('timeline-phase');
      await expect(phases.first()).toHaveAttribute('data-phase', 'onboarding');
      await expect(phases.nth(1)).toHaveAttribute('data-phase', 'connect');
      const titles = await page.locator('.timeline-title').allTextContents();
      const at = (text: string) => titles.indexOf(text);
      expect(at('Authorization response (redirect to the client)')).toBeGreaterThan(-1);
      expect(at('Authorization response (redirect to the client)')).toBeLessThan(
        at('Customer returns to Moneywise'),
      );
      expect(at('Customer returns to Moneywise')).toBeLessThan(at('Check the authorization response'));
    });
  });
}
