import { expect, test } from '../src/fixtures.js';
import { connectAndShareAccounts, onboard } from '../src/flows.js';

test('Alice disconnects: Moneywise revokes its tokens and the consent, and the API refuses the old token at once', async ({
  page,
  sandbox,
  step,
}) => {
  await onboard(page, sandbox, step);
  const connection = await connectAndShareAccounts(page, sandbox, step, 'fapi2-mtls', 'private_key_jwt');
  await step('Her accounts are there while connected', () => expect(connection.accounts()).toHaveCount(2));
  await step('Disconnect from the bank', () => connection.disconnect());
  await step('The bank API now refuses the token Moneywise held: its grant was revoked', async () => {
    expect(await connection.oldTokenStatus()).toBe(401);
    // The revocation check refuses it at once (RFC 7009 §2.1), not when it expires ten minutes later.
    await expect(connection.oldTokenRefusal()).toContainText(/grant .* was revoked .*refresh token revoked/);
  });
});
