// A learner chooses "Encrypt the request object (JWE)": Moneywise signs its authorization request, then
// encrypts it to the bank's published key (RFC 9101 §6.1). The connection works as before, and the
// inspector shows what each party could see: Moneywise the JWE protected header it sent, the bank the
// signed request object it decrypted and verified. Checked at 1440 and 390 px, with axe at each.
import { BankConsentPage } from '../pages/bank-consent-page.js';
import { BankLoginPage } from '../pages/bank-login-page.js';
import { type Profile, TppConnectPage } from '../pages/tpp-connect-page.js';
import { TppConnectionPage } from '../pages/tpp-connection-page.js';
import { TppInspectorPage } from '../pages/tpp-inspector-page.js';
import { accessibilityViolations, expectUsableAtWidths } from '../src/accessibility.js';
import { expect, test } from '../src/fixtures.js';
import { ALICE, onboard } from '../src/flows.js';

const PROFILES: { title: string; profile: Profile }[] = [
  { title: 'FAPI 1.0 Advanced', profile: 'fapi1-advanced' },
  { title: 'FAPI 2.0 + DPoP', profile: 'fapi2-dpop' },
];

for (const { title, profile } of PROFILES) {
  test(`Alice connects with ${title} and an encrypted request object; the inspector shows the JWE header and what the bank decrypted`, async ({
    page,
    sandbox,
    step,
  }) => {
    await onboard(page, sandbox, step);
    const connect = new TppConnectPage(page);
    const login = new BankLoginPage(page);
    const consent = new BankConsentPage(page);
    const connection = new TppConnectionPage(page);
    await step(`Choose ${title} and "Encrypt the request object (JWE)", then connect`, async () => {
      await connect.open(sandbox.config.tpp.web.origin);
      await connect.connect(profile, 'private_key_jwt', { encryptRequestObject: true });
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
    await step('The inspector shows the encrypted PAR: the JWE header Moneywise sent', async () => {
      await connection.openInspector();
      await inspector.open(/encrypted \(JWE\)/);
      const detail = inspector.detail();
      await expect(detail).toContainText('only the bank can read');
      await expect(detail).toContainText('request (JWE protected header)');
      await expect(detail).toContainText('RSA-OAEP-256');
      await expect(detail).toContainText('A256GCM');
    });
    await step('…and the request object the bank decrypted with its key, then verified', async () => {
      const detail = inspector.detail();
      await expect(detail).toContainText('request object (decrypted by bank-op)');
      await expect(detail).toContainText(/Request object decrypted with the bank's key/);
      await expect(detail).toContainText('openbanking_intent_id');
    });
    await step('The inspector fits 1440 and 390 px without sideways scrolling, and axe finds nothing', () =>
      expectUsableAtWidths(page, inspector.detail()),
    );
  });
}

test('Alice connects with both the request object and the ID token encrypted; the inspector shows both JWE headers and the claims Moneywise decrypted', async ({
  page,
  sandbox,
  step,
}) => {
  await onboard(page, sandbox, step);
  const connect = new TppConnectPage(page);
  const login = new BankLoginPage(page);
  const consent = new BankConsentPage(page);
  const connection = new TppConnectionPage(page);
  await step('Choose FAPI 2.0 + DPoP with both "Encrypt …(JWE)" options, then connect', async () => {
    await connect.open(sandbox.config.tpp.web.origin);
    await page.screenshot({ path: test.info().outputPath('connect-options-1440.png'), fullPage: true });
    await connect.connect('fapi2-dpop', 'private_key_jwt', {
      encryptRequestObject: true,
      encryptIdToken: true,
    });
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
  await step("The inspector shows the request object's JWE header on the encrypted PAR", async () => {
    await connection.openInspector();
    await inspector.open(/Push the authorization request \(PAR\), encrypted \(JWE\)/);
    await expect(inspector.detail()).toContainText('request (JWE protected header)');
    await expect(inspector.detail()).toContainText('RSA-OAEP-256');
  });
  await step("…and the ID token's JWE header, what encryption adds and the decrypted claims", async () => {
    await inspector.open(/Decrypt, then verify the ID token \(JWE\)/);
    const detail = inspector.detail();
    await expect(detail).toContainText('even where the response passes through the browser');
    await expect(detail).toContainText('OIDC Core §10.2');
    await expect(detail).toContainText('id_token (JWE protected header)');
    await expect(detail).toContainText('A256GCM');
    await expect(detail).toContainText('id_token (decrypted by Moneywise)');
    await expect(detail).toContainText('openbanking_intent_id');
  });
  await step('The inspector fits 1440 and 390 px without sideways scrolling, and axe finds nothing', () =>
    expectUsableAtWidths(page, inspector.detail(), {
      screenshotPath: (width) => test.info().outputPath(`inspector-id-token-${width}.png`),
    }),
  );
  await step(
    'The connect page with its options fits 390 px, and axe finds nothing there either',
    async () => {
      await connect.open(sandbox.config.tpp.web.origin);
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(390);
      expect(await accessibilityViolations(page, new Set())).toEqual([]);
      await page.screenshot({ path: test.info().outputPath('connect-options-390.png'), fullPage: true });
    },
  );
});
