import type { ClientAuth, Profile } from '../pages/tpp-connect-page.js';
import { TppInspectorPage } from '../pages/tpp-inspector-page.js';
import { expect, test } from '../src/fixtures.js';
import { connectAndShareAccounts, onboard } from '../src/flows.js';

const PROFILES: { title: string; profile: Profile; clientAuth: ClientAuth }[] = [
  {
    title: 'FAPI 2.0 with DPoP-bound tokens and private_key_jwt',
    profile: 'fapi2-dpop',
    clientAuth: 'private_key_jwt',
  },
  {
    title: 'FAPI 2.0 with mTLS-bound tokens and tls_client_auth',
    profile: 'fapi2-mtls',
    clientAuth: 'tls_client_auth',
  },
  {
    title: 'FAPI 1.0 Advanced with a signed request object and JARM',
    profile: 'fapi1-advanced',
    clientAuth: 'private_key_jwt',
  },
];

for (const { title, profile, clientAuth } of PROFILES) {
  test(`Alice connects Moneywise to her bank with ${title} and sees her accounts`, async ({
    page,
    sandbox,
    step,
  }) => {
    await onboard(page, sandbox, step);
    const connection = await connectAndShareAccounts(page, sandbox, step, profile, clientAuth);

    await step('Moneywise calls the bank API with the bound token: both accounts are listed', async () => {
      await expect(connection.accounts()).toHaveCount(2);
    });
    await step('Open the current account: its balance and transactions come from the bank', async () => {
      await connection.openAccount(/Everyday/);
      expect(await connection.balance()).toBeGreaterThan(0);
      await expect(connection.transactions().first()).toBeVisible();
    });
    await step(
      'The flow inspector shows every message, the token bound to the key Moneywise presented',
      async () => {
        await connection.openInspector();
        const inspector = new TppInspectorPage(page);
        await expect(inspector.entries().first()).toBeVisible();
        await expect(inspector.sequenceDiagram()).toBeVisible();
        await inspector.open(/Read accounts/);
        await expect(inspector.binding()).toHaveAttribute('data-matches', 'true');
      },
    );
    await step(
      "The bank reported the browser's visit too: authorization request, sign-in, consent",
      async () => {
        await expect(new TppInspectorPage(page).messages('browser', 'bank-op').first()).toBeAttached();
      },
    );
  });
}
