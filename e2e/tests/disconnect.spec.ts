import { expect, test } from '../src/fixtures.js';
import { connectAndShareAccounts, onboard } from '../src/flows.js';

test('Alice disconnects: Moneywise revokes its tokens and the consent, and the API refuses the old token', async ({
  page,
  sandbox,
  step,
}) => {
  await onboard(page, sandbox, step);
  const connection = await connectAndShareAccounts(page, sandbox, step, 'fapi2-mtls', 'private_key_jwt');
  await step('Her accounts are there while connected', () => expect(connection.accounts()).toHaveCount(2));
  await step('Disconnect from the bank', () => connection.disconnect());
  await step('The bank API now refuses the token Moneywise held', async () => {
    expect([401, 403]).toContain(await connection.oldTokenStatus());
  });
});
