// A sandbox hosted for a room on a domain of its own (FAPI_BASE_DOMAIN=sandbox.test): every party is named
// under it, `pnpm pki:ensure` issued the server certificates again for those names, the browser finds
// them through its host resolver rules (as a room's DNS would answer) and Node through the sandbox's own
// resolver. No /etc/hosts edit anywhere; certificate checks stay on.
import { createSandboxAgent, sandboxFetch } from '@fapi-sandbox/fapi-core/tls';
import { chromiumLaunchOptions } from '../src/browser.js';
import { expect, test } from '../src/fixtures.js';
import { connectAndShareAccounts, onboard } from '../src/flows.js';

const ROOM_DOMAIN = 'sandbox.test';

test.use({
  baseDomain: ROOM_DOMAIN,
  launchOptions: chromiumLaunchOptions([`--host-resolver-rules=MAP *.${ROOM_DOMAIN} 127.0.0.1`]),
});

test(`On a room's own domain (${ROOM_DOMAIN}), Alice connects Moneywise with FAPI 2.0 and sees her accounts`, async ({
  page,
  sandbox,
  step,
}) => {
  const { config } = sandbox;
  expect(config.tpp.web.origin).toMatch(/^https:\/\/tpp\.sandbox\.test:\d+$/);

  await onboard(page, sandbox, step);
  const connection = await connectAndShareAccounts(page, sandbox, step, 'fapi2-dpop', 'private_key_jwt');

  await step('Moneywise calls the bank API with the bound token: both accounts are listed', async () => {
    await expect(connection.accounts()).toHaveCount(2);
    expect(new URL(page.url()).host).toBe(`tpp.${ROOM_DOMAIN}:${config.tpp.web.port}`);
  });

  await step("The bank's discovery document names every endpoint under the room's domain", async () => {
    const response = await sandboxFetch(`${config.bankOp.issuer}/.well-known/openid-configuration`, {
      dispatcher: createSandboxAgent({}, config),
    });
    const discovery = (await response.json()) as Record<string, unknown> & {
      mtls_endpoint_aliases: Record<string, string>;
    };
    expect(discovery.issuer).toBe(`https://bank.${ROOM_DOMAIN}:${config.bankOp.web.port}`);
    expect(discovery.authorization_endpoint).toMatch(/^https:\/\/bank\.sandbox\.test:\d+\//);
    expect(discovery.mtls_endpoint_aliases.token_endpoint).toMatch(
      /^https:\/\/mtls\.bank\.sandbox\.test:\d+\//,
    );
    expect(JSON.stringify(discovery)).not.toContain('.localhost');
  });
});
