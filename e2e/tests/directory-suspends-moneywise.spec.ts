import fs from 'node:fs';
import { DirectoryPage } from '../pages/directory-page.js';
import { errorNotice } from '../pages/tpp-error.js';
import { TppInspectorPage } from '../pages/tpp-inspector-page.js';
import { expect, test } from '../src/fixtures.js';
import { connectAndShareAccounts, onboard } from '../src/flows.js';

// The suspension stays: the other scenarios of this worker must not meet a suspended Moneywise.
test.use({ freshSandbox: true });

test("The directory suspends Moneywise: the bank's API stops answering its DPoP-bound token at the next call", async ({
  page,
  sandbox,
  step,
}) => {
  const { config } = sandbox;
  const demo = config.participants.demo;
  await onboard(page, sandbox, step);
  const connection = await connectAndShareAccounts(page, sandbox, step, 'fapi2-dpop', 'private_key_jwt');
  const connectionUrl = page.url();

  await step(
    'Moneywise reads her accounts with its DPoP-bound token (no certificate at the API)',
    async () => {
      await expect(connection.accounts()).toHaveCount(2);
      await connection.openAccount(/Everyday/);
      expect(await connection.balance()).toBeGreaterThan(0);
    },
  );

  await step("The directory's administrator suspends Moneywise's software statement", async () => {
    const directory = new DirectoryPage(page);
    const credential = fs.readFileSync(config.directory.adminCredentialFile, 'utf8').trim();
    await directory.signIn(config.directory.web.origin, credential);
    await directory.openSoftwareStatement(config.directory.web.origin, demo.orgId, demo.softwareId);
    await directory.suspendSoftwareStatement(demo.clientName);
  });

  const error = errorNotice(page);
  await step(
    'Back at Moneywise, opening the accounts again: the bank refuses the same token, naming the suspension',
    async () => {
      // The bank reuses the directory's answer for a second: the next call after that is refused. The API
      // answers 401 invalid_token; Moneywise's one refresh is refused too, and it shows the API's answer.
      await expect(async () => {
        await page.goto(connectionUrl);
        await expect(error.notice.first()).toBeVisible({ timeout: 5_000 });
      }).toPass({ timeout: 30_000 });
      await expect(error.notice.first()).toContainText('The bank’s API');
      await expect(error.code.first()).toHaveText('invalid_token');
      await expect(error.description.first()).toContainText(
        new RegExp(`software ${demo.softwareId} of organisation ${demo.orgId} as suspended`),
      );
      await expect(connection.accounts()).toHaveCount(0);
    },
  );

  await step(
    "The flow inspector shows the bank's API refused the token: the directory no longer lists Moneywise as active",
    async () => {
      await connection.openInspector();
      const inspector = new TppInspectorPage(page);
      await inspector.open(/Read accounts[\s\S]*401/);
      const checks = inspector.detail().getByTestId('timeline-checks');
      await expect(checks).toContainText(/Failed:\s*Participant: the software is active in the directory/);
      await expect(checks).toContainText(/as suspended/);
      await expect(inspector.detail()).toContainText(/invalid_token/);
    },
  );
});
