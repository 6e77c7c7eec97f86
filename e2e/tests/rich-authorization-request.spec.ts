// A payment authorised by a rich authorization request (RFC 9396): Moneywise creates nothing at the bank
// API; the payment travels in the pushed request as authorization_details, the bank's consent page shows
// those details, the token carries what Alice granted, and bank-api pays exactly that, once. The inspector
// names each step and contrasts the intent with the rich authorization request.
import { BankConsentPage } from '../pages/bank-consent-page.js';
import { BankLoginPage } from '../pages/bank-login-page.js';
import { TppConnectPage } from '../pages/tpp-connect-page.js';
import { TppConnectionPage } from '../pages/tpp-connection-page.js';
import { TppInspectorPage } from '../pages/tpp-inspector-page.js';
import { TppPaymentPage } from '../pages/tpp-payment-page.js';
import { expectUsableAtWidths } from '../src/accessibility.js';
import { expect, test } from '../src/fixtures.js';
import { ALICE, connectAndShareAccounts, onboard } from '../src/flows.js';

test('Alice pays £12.34 authorised by the payment’s own details in the pushed request, with no consent created at the bank API first', async ({
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
  await step('Choose a rich authorization request: the payment itself goes in the PAR', async () => {
    await connection.startPayment();
    await payment.chooseAuthorization('Rich authorization request (details in the PAR)');
    await expectUsableAtWidths(page, page.getByTestId('payment-authorization'), {
      screenshotPath: (width) => test.info().outputPath(`rar-pay-${width}.png`),
    });
    await page.setViewportSize({ width: 1280, height: 900 });
    await payment.pay({
      name: 'Corner Bakery',
      sortCode: '20-00-00',
      accountNumber: '55779911',
      amount: '12.34',
      reference: 'Birthday cake',
    });
    await login.expectShown(sandbox.config.bankOp.issuer);
  });
  await step('The bank links the passcode to the amount and payee it read from the details', async () => {
    await expect(login.passcodeMessage()).toContainText('12.34');
    await expect(login.passcodeMessage()).toContainText('Corner Bakery');
    await login.signIn(ALICE.username, ALICE.password);
  });
  await step('The consent page shows the details Moneywise pushed, and no consent reference', async () => {
    await expect(page.getByRole('heading', { level: 1 })).toContainText('wants to make a payment');
    await expect(page.locator('dl.payment')).toContainText('12.34');
    await expect(page.locator('dl.payment')).toContainText('Corner Bakery');
    await expect(page.locator('dl.payment')).toContainText('Birthday cake');
    await expect(page.getByText('authorization_details', { exact: true })).toBeVisible();
    await expect(page.getByText('Consent reference')).toHaveCount(0);
    await expectUsableAtWidths(page, page.getByRole('button', { name: 'Confirm payment' }), {
      screenshotPath: (width) => test.info().outputPath(`rar-consent-${width}.png`),
    });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
  await step(
    'Alice confirms from her current account; bank-api pays what the token’s details say',
    async () => {
      await consent.confirmPayment(/Everyday/);
      await payment.expectBankStatus(/Accepted|Completed/i);
      await expect(payment.result()).toContainText('authorised by authorization_details (RFC 9396)');
    },
  );

  const inspector = new TppInspectorPage(page);
  await step('The inspector names the RAR steps: the details pushed, granted, and paid', async () => {
    await page.getByRole('link', { name: 'Open the flow inspector' }).click();
    await inspector.open(/Push the payment itself as authorization_details/);
    await expect(inspector.detail()).toContainText('payment_initiation');
    await inspector.open(/Check the granted authorization_details/);
    await expect(inspector.detail()).toContainText('the bank added debtorAccount');
    await inspector.open(/Submit the payment the details granted/);
    await expect(inspector.detail()).toContainText('names no ConsentId');
    await expect(inspector.entries().filter({ hasText: 'Create the domestic-payment consent' })).toHaveCount(
      0,
    );
  });
  await step(
    '…and contrasts it with a UK intent: where the consent lives, who creates it, what the token proves',
    async () => {
      const models = page.getByTestId('consent-models');
      await expect(models).toContainText('Where the consent lives');
      await expect(models).toContainText('What the token proves');
      await expect(page.getByTestId('consent-model-used')).toContainText('rich authorization request');
      await expectUsableAtWidths(page, models, {
        screenshotPath: (width) => test.info().outputPath(`rar-inspector-${width}.png`),
      });
      await page.setViewportSize({ width: 1280, height: 900 });
    },
  );
  await step('Back on the account: the balance is £12.34 lower', async () => {
    await page.goto(page.url().replace(/\/inspector.*$/, ''));
    await connection.openAccount(/Everyday/);
    await expect.poll(() => connection.balance()).toBeCloseTo(before - 12.34, 2);
  });
});

test('Alice shares her accounts with Moneywise through account_information details in the pushed request, and a read she did not grant is refused', async ({
  page,
  sandbox,
  step,
}) => {
  await onboard(page, sandbox, step);
  const connect = new TppConnectPage(page);
  const login = new BankLoginPage(page);
  const consent = new BankConsentPage(page);
  const connection = new TppConnectionPage(page);
  await step('The connect page offers a UK intent or a rich authorization request for FAPI 2.0', async () => {
    await connect.open(sandbox.config.tpp.web.origin);
    await connect.chooseRichAuthorization();
    await expectUsableAtWidths(page, connect.form(), {
      screenshotPath: (width) => test.info().outputPath(`rar-connect-${width}.png`),
    });
    await page
      .getByTestId('account-authorization')
      .screenshot({ path: test.info().outputPath('rar-connect-choice-390.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
  await step(
    'Connect with list_accounts and read_balances only: no consent is created at the bank API',
    async () => {
      await connect.connect('fapi2-dpop', 'private_key_jwt', {
        authorizationDetailsWithout: ['read_transactions'],
      });
      await login.expectShown(sandbox.config.bankOp.issuer);
      await login.signIn(ALICE.username, ALICE.password);
    },
  );
  await step('The bank shows the access Moneywise pushed, and Alice shares her current account', async () => {
    await expect(page.getByRole('heading', { level: 1 })).toContainText(
      'wants to see your account information',
    );
    await expect(page.getByText('authorization_details', { exact: true })).toBeVisible();
    await expect(page.getByText('Consent reference')).toHaveCount(0);
    await consent.allow([/Everyday/]);
    await connection.expectConnected();
  });
  await step(
    'Moneywise shows what was granted, reads the balance, and relays the refusal of transactions',
    async () => {
      const granted = page.getByTestId('granted-details');
      await expect(granted.getByTestId('granted-actions')).toHaveText(
        /^list_accounts .*read_balances [^,]*$/,
      );
      await expect(connection.accounts()).toHaveCount(1);
      await connection.openAccount(/Everyday/);
      expect(await connection.balance()).toBeGreaterThan(0);
      const detail = page.getByTestId('account-detail');
      await expect(detail).toContainText('The bank’s API');
      await expect(detail).toContainText('insufficient_scope');
      await expect(connection.transactions()).toHaveCount(0);
    },
  );
  const inspector = new TppInspectorPage(page);
  await step(
    'The inspector names the RAR steps and contrasts the intent with RAR for account access',
    async () => {
      await connection.openInspector();
      await inspector.open(/Push the account access itself as authorization_details/);
      await expect(inspector.detail()).toContainText('account_information');
      await inspector.open(/Check the granted account access/);
      await expect(inspector.detail()).toContainText('the bank added accounts');
      await expect(inspector.entries().filter({ hasText: 'Create the account-access consent' })).toHaveCount(
        0,
      );
      await expect(page.getByTestId('consent-model-accounts')).toContainText('rich authorization request');
    },
  );
});
