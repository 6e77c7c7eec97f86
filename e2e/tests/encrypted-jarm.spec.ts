// A learner chooses FAPI 1.0 Advanced with "Encrypt the JARM response (JWE)": the bank signs its
// authorization response, then encrypts it to Moneywise's published key (JARM §2.2), so the browser
// carries only a JWE. The connection works as before, and the inspector shows the JWE protected header the
// browser carried, what encryption adds beyond the signature, and the claims Moneywise decrypted. Checked
// at 1440 and 390 px, with axe at each.
import { BankConsentPage } from '../pages/bank-consent-page.js';
import { BankLoginPage } from '../pages/bank-login-page.js';
import { TppConnectPage } from '../pages/tpp-connect-page.js';
import { TppConnectionPage } from '../pages/tpp-connection-page.js';
import { TppInspectorPage } from '../pages/tpp-inspector-page.js';
import { expectUsableAtWidths } from '../src/accessibility.js';
import { expect, test } from '../src/fixtures.js';
import { ALICE, onboard } from '../src/flows.js';

test('Alice connects with FAPI 1.0 Advanced and an encrypted JARM response; the inspector shows the JWE header the browser carried and what Moneywise decrypted', async ({
  page,
  sandbox,
  step,
}) => {
  await onboard(page, sandbox, step);
  const connect = new TppConnectPage(page);
  const login = new BankLoginPage(page);
  const consent = new BankConsentPage(page);
  const connection = new TppConnectionPage(page);
  await step('Choose FAPI 1.0 Advanced and "Encrypt the JARM response (JWE)", then connect', async () => {
    await connect.open(sandbox.config.tpp.web.origin);
    await connect.connect('fapi1-advanced', 'private_key_jwt', { encryptJarm: true });
    await login.expectShown(sandbox.config.bankOp.issuer);
  });
  await step('Sign in as Alice and share both accounts', async () => {
    await login.signIn(ALICE.username, ALICE.password);
    await consent.expectAsking('Moneywise');
    await consent.allow([/Everyday/, /Rainy day/]);
    await connection.expectConnected();
    await expect(connection.accounts()).toHaveCount(2);
  });
  const inspector = new TppInspectorPage(page);
  await step('The inspector shows the JWE header the browser carried, and what encryption adds', async () => {
    await connection.openInspector();
    await inspector.open(/Decrypt, then check the authorization response \(JWE\)/);
    const detail = inspector.detail();
    await expect(detail).toContainText('the code and state were unreadable to the browser');
    await expect(detail).toContainText('JARM §2.2');
    await expect(detail).toContainText('response (JWE protected header)');
    await expect(detail).toContainText('A256GCM');
  });
  await step(
    '…and the response Moneywise decrypted with its key, then verified (code shortened)',
    async () => {
      const detail = inspector.detail();
      await expect(detail).toContainText('response (decrypted by Moneywise)');
      await expect(detail).toContainText(/"code": "[^"]{8}…"/);
      await expect(detail).toContainText(/"state": "[^"]+"/);
    },
  );
  await step('The inspector fits 1440 and 390 px without sideways scrolling, and axe finds nothing', () =>
    expectUsableAtWidths(page, inspector.detail(), {
      screenshotPath: (width) => test.info().outputPath(`inspector-jarm-${width}.png`),
    }),
  );
});
