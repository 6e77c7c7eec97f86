import { BankConsentPage } from '../pages/bank-consent-page.js';
import { BankLoginPage } from '../pages/bank-login-page.js';
import { TppPaymentPage } from '../pages/tpp-payment-page.js';
import { expect, test } from '../src/fixtures.js';
import { ALICE, connectAndShareAccounts, onboard } from '../src/flows.js';

test('Alice pays £12.34 through Moneywise: the bank executes it once, even when sent again, and her balance goes down', async ({
  page,
  sandbox,
  step,
}) => {
  await onboard(page, sandbox, step);
  const connection = await connectAndShareAccounts(page, sandbox, step, 'fapi2-dpop', 'private_key_jwt');

  const before = await step('Note the balance of her current account', async () => {
    await connection.openAccount(/Everyday/);
    return connection.balance();
  });

  const payment = new TppPaymentPage(page);
  const login = new BankLoginPage(page);
  const consent = new BankConsentPage(page);
  await step('Enter the payee and amount: Moneywise creates a payment consent at the bank', async () => {
    await connection.startPayment();
    await payment.pay({
      name: 'Corner Bakery',
      sortCode: '20-00-00',
      accountNumber: '55779911',
      amount: '12.34',
      reference: 'Birthday cake',
    });
    await login.expectShown(sandbox.config.bankOp.issuer);
  });
  await step(
    'The bank asks Alice to sign in again: every payment needs fresh two-factor authentication',
    async () => {
      await expect(login.passcodeMessage()).toContainText('12.34');
      await expect(login.passcodeMessage()).toContainText('Corner Bakery');
    },
  );
  await step('Alice signs in with the passcode linked to this payment and confirms it', async () => {
    await login.signIn(ALICE.username, ALICE.password);
    await expect(page.getByText('Corner Bakery').first()).toBeVisible();
    await consent.confirmPayment(/Everyday/);
  });
  await step('Moneywise submits the payment with an idempotency key; the bank accepts it', async () => {
    await payment.expectBankStatus(/Accepted|Completed/i);
  });
  await step(
    'Moneywise sends the same payment again, as after a timeout: same idempotency key, same payment',
    async () => {
      const domesticPaymentId = await payment.result().locator('code').first().textContent();
      const answer = await payment.sendAgain();
      await expect(answer).toHaveText(
        `The bank answered with the same payment ${domesticPaymentId}: nothing was paid twice (UK OB idempotency)`,
        { timeout: 30_000 },
      );
    },
  );
  await step('Back on the account: the balance is £12.34 lower, not twice that', async () => {
    await page.goto(page.url().replace(/\/pay.*$/, ''));
    await connection.openAccount(/Everyday/);
    await expect.poll(() => connection.balance()).toBeCloseTo(before - 12.34, 2);
  });
});
