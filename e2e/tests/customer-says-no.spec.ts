import { BankConsentPage } from '../pages/bank-consent-page.js';
import { errorNotice } from '../pages/tpp-error.js';
import { expect, test } from '../src/fixtures.js';
import { ALICE, onboard, startConnecting } from '../src/flows.js';

test('Alice denies consent: the bank sends access_denied back and Moneywise says so', async ({
  page,
  sandbox,
  step,
}) => {
  await onboard(page, sandbox, step);
  const login = await startConnecting(page, sandbox, step, 'fapi2-dpop', 'private_key_jwt');
  await step('Alice signs in, reads what Moneywise asks for, and denies it', async () => {
    await login.signIn(ALICE.username, ALICE.password);
    await new BankConsentPage(page).deny();
  });
  await step("Moneywise shows the bank's access_denied, and no connection was made", async () => {
    await page.waitForURL((url) => url.origin === sandbox.config.tpp.web.origin);
    await expect(errorNotice(page).code).toHaveText('access_denied');
  });
});

test('A wrong password: the bank refuses to sign Alice in and nothing reaches Moneywise', async ({
  page,
  sandbox,
  step,
}) => {
  await onboard(page, sandbox, step);
  const login = await startConnecting(page, sandbox, step, 'fapi2-mtls', 'tls_client_auth');
  await step('Sign in as Alice with the wrong password', () =>
    login.signIn(ALICE.username, 'not-her-password'),
  );
  await step('The bank says the details are wrong, and keeps her on its sign-in page', async () => {
    await expect(login.error()).toBeVisible();
    await expect(page).toHaveURL((url) => url.origin === sandbox.config.bankOp.issuer);
    await expect(page.getByLabel('Password')).toBeVisible();
  });
});
