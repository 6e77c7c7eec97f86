// Bring your own client (issue #13): a learner signs up at the directory's developer portal with the
// sandbox's invite code, registers a software statement and downloads its client bundle, which holds the
// private keys once. The pages pass axe and fit 1440 and 390 px.
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import { DeveloperPortalPage } from '../pages/developer-portal-page.js';
import { accessibilityViolations } from '../src/accessibility.js';
import { expect, test } from '../src/fixtures.js';

const WIDTHS = [1440, 390] as const;

test('A learner signs up at the developer portal with the invite code and downloads a client bundle', async ({
  page,
  sandbox,
  step,
}, testInfo) => {
  const { config } = sandbox;
  const origin = config.directory.web.origin;
  const portal = new DeveloperPortalPage(page);
  await page.setViewportSize({ width: 1440, height: 900 });

  await step(
    'The directory home links to the developer portal, which explains it and asks for the invite code',
    async () => {
      await page.goto(`${origin}/ui`);
      await page.getByRole('link', { name: 'Sign up at the developer portal' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Developer portal');
      await expect(page.getByText('pnpm --silent sandbox:info')).toBeVisible();
    },
  );

  await step('A wrong invite code is refused', async () => {
    await portal.open(origin);
    await page.getByLabel('Invite code').fill('fapi-AAAA-BBBB');
    await page.getByLabel('Organisation name').fill('Gatecrasher Ltd');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByRole('alert')).toContainText('invite code');
  });

  const inviteCode = fs.readFileSync(config.directory.inviteCodeFile, 'utf8').trim();
  await step(
    'With the invite code from pnpm dev, the learner signs up and sees the developer token once',
    async () => {
      await portal.open(origin);
      await portal.signUp(inviteCode, 'Acme Learner Ltd');
    },
  );

  await step('The learner registers a software statement with an https redirect URI', () =>
    portal.registerSoftware('Acme client', 'https://localhost:3443/callback'),
  );

  const { fileName, bundle } = await step(
    'The learner downloads the client bundle: private keys, certificates, trust and endpoints, shown once',
    async () => {
      await expect(page.getByText('holds private keys and is shown once')).toBeVisible();
      return portal.downloadBundle('Acme client');
    },
  );
  expect(fileName).toBe(`${bundle.software.softwareId}.bundle.json`);
  expect(bundle.format).toBe('fapi-sandbox/client-bundle@1');
  expect(bundle.organisation.orgName).toBe('Acme Learner Ltd');
  expect(createPrivateKey({ key: bundle.transport.privateKeyPem, format: 'pem' }).type).toBe('private');
  expect(bundle.transport.certificatePem).toContain('BEGIN CERTIFICATE');
  expect(bundle.signing.privateJwks.keys.map((key) => key.alg)).toEqual(['PS256', 'ES256']);
  expect(bundle.signing.privateJwks.keys.every((key) => typeof key.d === 'string')).toBe(true);
  expect(bundle.endpoints.ssa).toContain(config.directory.mtls.origin);

  await step(
    'The portal fits a 1440 px screen and a 390 px phone, and axe finds nothing at either',
    async () => {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${origin}/portal`);
        await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme Learner Ltd');
        await page.screenshot({ path: testInfo.outputPath(`portal-${width}.png`), fullPage: true });
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        expect(await accessibilityViolations(page, new Set())).toEqual([]);
      }
      await page.context().clearCookies();
      await page.goto(`${origin}/portal`);
      await page.screenshot({ path: testInfo.outputPath('portal-sign-up-390.png'), fullPage: true });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await accessibilityViolations(page, new Set())).toEqual([]);
    },
  );
});
