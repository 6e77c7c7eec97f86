import { BankConsentPage } from '../pages/bank-consent-page.js';
import { BankLoginPage } from '../pages/bank-login-page.js';
import { TppInspectorPage } from '../pages/tpp-inspector-page.js';
import { TppPaymentPage } from '../pages/tpp-payment-page.js';
import { expect, test } from '../src/fixtures.js';
import { ALICE, connectAndShareAccounts, onboard } from '../src/flows.js';

// FAPI 2.0 Message Signing from the browser: Alice's payment is signed by Moneywise (RFC 9421), the bank
// verifies it with Moneywise's registered key and signs its answer, Moneywise checks that answer, and the
// inspector says who signed what, with which key, and why neither can deny it.
test('Alice pays £4.20 with signed messages: Moneywise cannot deny asking for it, the bank cannot deny its answer', async ({
  page,
  sandbox,
  step,
}, testInfo) => {
  await onboard(page, sandbox, step);
  const connection = await connectAndShareAccounts(page, sandbox, step, 'fapi2-dpop', 'private_key_jwt');

  const payment = new TppPaymentPage(page);
  await step(
    'Alice pays the window cleaner: Moneywise signs the payment consent it sends the bank',
    async () => {
      await connection.startPayment();
      await payment.pay({
        name: 'Window Cleaner',
        sortCode: '20-00-00',
        accountNumber: '55779911',
        amount: '4.20',
        reference: 'Windows',
      });
    },
  );
  await step('She signs in and confirms; Moneywise submits the signed payment', async () => {
    const login = new BankLoginPage(page);
    await login.expectShown(sandbox.config.bankOp.issuer);
    await login.signIn(ALICE.username, ALICE.password);
    await new BankConsentPage(page).confirmPayment(/Everyday/);
    await payment.expectBankStatus(/Accepted|Completed/i);
  });

  const inspector = new TppInspectorPage(page);
  await step('In the inspector, the payment shows both signatures and what each covers', async () => {
    await page.goto(page.url().replace(/\/pay.*$/, ''));
    await connection.openInspector();
    await inspector.open(/Submit the payment/);
    const signatures = inspector.messageSignature();
    await expect(signatures).toContainText('cannot convincingly deny having sent it');
    const [request, response] = [
      signatures.getByTestId('message-signature-side').nth(0),
      signatures.getByTestId('message-signature-side').nth(1),
    ];
    await expect(request).toContainText('Moneywise signed the request');
    await expect(request).toContainText('tag fapi-2-request');
    await expect(request).toContainText('the SHA-256 of the body: payee, amount and reference');
    await expect(response).toContainText('The bank signed its answer');
    await expect(response).toContainText('Moneywise’s request signature: this answer is to that request');
    await expect(inspector.checks()).toContainText(
      /Passed:\s*Message signature: the client signed the request/,
    );
  });
  await step(
    'The bank checked the key against the directory; Moneywise checked the bank’s answer',
    async () => {
      await expect(inspector.checks()).toContainText(/signed by key \S+ \(PS256\) of software/);
      // The last verdict is the payment's (the first, the consent's).
      await inspector
        .entries()
        .filter({ hasText: /Check the bank’s signed answer/ })
        .last()
        .click();
      await expect(inspector.checks()).toContainText(/Request signed with Moneywise's key/);
      await expect(inspector.checks()).toContainText(
        /Response signed by the bank's key .* bound to this request/,
      );
    },
  );
  await step('The explanation reads the same on a laptop and on a phone', async () => {
    await inspector.open(/Submit the payment/);
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await inspector.messageSignature().scrollIntoViewIfNeeded();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `sideways scrolling at ${width} px`).toBeLessThanOrEqual(0);
      await inspector
        .messageSignature()
        .screenshot({ path: testInfo.outputPath(`message-signature-${width}.png`) });
    }
  });
});
