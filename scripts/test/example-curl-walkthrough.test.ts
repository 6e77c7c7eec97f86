// Bring your own client, by hand: examples/curl/walkthrough.sh sends every message of the FAPI 2.0 flow
// with curl (and signs in and consents at the bank's pages as the demo customer) against the real
// directory, bank-op and bank-api, taking every origin and port from a learner's client bundle.
import fs from 'node:fs';
import path from 'node:path';
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { createLearnerBundle } from './support/learner-bundle.js';
import { ownTraceUrls } from './support/own-trace.js';
import { demoCustomer, useRunningParties } from './support/parties.js';
import { type CommandResult, runCommand } from './support/run-command.js';

const WALKTHROUGH = path.resolve(import.meta.dirname, '../../examples/curl/walkthrough.sh');

let config: SandboxConfig;
useRunningParties((started) => {
  config = started;
});

function writeBundle(bundle: ClientBundle, name: string): string {
  const file = path.join(config.dataDir, name);
  fs.writeFileSync(file, JSON.stringify(bundle));
  return file;
}

/** The walkthrough as a learner runs it: bash, the bundle and the customer's credentials as arguments. */
function walkthrough(bundleFile: string): Promise<CommandResult> {
  const { username, password } = demoCustomer();
  return runCommand('bash', [WALKTHROUGH, bundleFile, username, password]);
}

describe('examples/curl/walkthrough.sh with a learner’s own bundle', () => {
  it('sends every message by hand, from discovery to the accounts, on the ports the bundle names', async () => {
    const bundle = await createLearnerBundle(config, { redirectUris: ['https://localhost:4443/callback'] });
    const { code, stdout, stderr } = await walkthrough(writeBundle(bundle, 'learner.bundle.json'));
    expect({ code, stderr, end: code === 0 ? '' : stdout.slice(-3000) }).toEqual({
      code: 0,
      stderr: '',
      end: '',
    });
    const bankOp = config.bankOp.web.origin;
    // Each message is printed: the calls in order, to the test's ports (none of them the default 9443).
    const calls = [...stdout.matchAll(/^→ (\w+) (\S+)/gm)].map(
      ([, method, url]) => `${method} ${url!.split('?')[0]}`,
    );
    expect(calls).toEqual(
      expect.arrayContaining([
        `GET ${bankOp}/.well-known/openid-configuration`,
        `GET ${bundle.endpoints.ssa}`,
        `POST ${config.bankOp.mtls.origin}/register`,
        `POST ${bankOp}/token`,
        `POST ${config.bankApi.baseUrl}/aisp/account-access-consents`,
        `POST ${bankOp}/par`,
        `GET ${bankOp}/authorize`,
        `GET ${config.bankApi.baseUrl}/aisp/accounts`,
      ]),
    );
    expect(stdout).not.toContain(':9443');
    // The DPoP nonce dance is visible (RFC 9449 §8 at the bank, §9 at its API).
    expect(stdout).toContain('use_dpop_nonce');
    expect(stdout).toMatch(/token_type: DPoP/i);
    expect(stdout).toMatch(/"openbanking_intent_id": "[^"]+"/);
    expect(stdout).toMatch(/✓ Done: \d+ accounts shared: /);
    // The calls to bank-api carried the learner's certificate: they are in the learner's own trace.
    expect(await ownTraceUrls(config, bundle, bundle.endpoints.trace.bankApi)).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/aisp\/accounts$/)]),
    );
    // Secrets are shortened in the printout, and the private keys never printed.
    expect(stdout).not.toContain(bundle.transport.privateKeyPem.split('\n')[1]!);
    expect(stdout).not.toMatch(/eyJ[A-Za-z0-9_-]{40,}\.[A-Za-z0-9_-]{40,}\.[A-Za-z0-9_-]{40,}/);
  }, 180_000);

  it('stops on a tampered signing key with the bank’s invalid_client and its clause, not a stack trace', async () => {
    const bundle = await createLearnerBundle(config, { redirectUris: ['https://localhost:4443/callback'] });
    const signing = bundle.signing.privateJwks.keys.find((key) => key.alg === 'PS256')!;
    Object.assign(
      signing,
      await exportJWK((await generateKeyPair('PS256', { extractable: true })).privateKey),
    );
    const { code, stdout, stderr } = await walkthrough(writeBundle(bundle, 'tampered.bundle.json'));
    expect(code).toBe(1);
    expect(stdout).toContain('3. Dynamic client registration');
    expect(stderr).toMatch(/✗ Expected 200, got 401: invalid_client: .*RFC 7523/);
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});
