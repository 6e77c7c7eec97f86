// Bring your own client, in Node: the example in examples/node-openid-client (openid-client 6) runs the
// whole FAPI 2.0 flow against the real directory, bank-op and bank-api with nothing but a learner's client
// bundle — its own organisation, software statement, redirect URI, transport certificate and signing keys.
import { CustomerBrowser } from '@fapi-sandbox/fapi-client/customer';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { runFlow } from '../../examples/node-openid-client/src/flow.js';
import { customerAllows, learnerBundle, runCli, writeBundle } from './support/node-example.js';
import { ownTraceEvents, ownTraceUrls } from './support/own-trace.js';
import { demoCustomer, useRunningParties } from './support/parties.js';

let config: SandboxConfig;
useRunningParties((started) => {
  config = started;
});

describe('examples/node-openid-client with a learner’s own bundle', () => {
  it('with opaque access tokens: bank-api introspects each one at the bank and answers', async () => {
    const { bundle, redirectUri } = await learnerBundle(config);
    const bankBrowser = createSandboxAgent({}, config);
    try {
      const result = await runFlow({
        bundle,
        log: () => {},
        accessTokenFormat: 'opaque',
        authorize: customerAllows(config, redirectUri, bankBrowser),
      });
      expect(result.accounts.length).toBeGreaterThan(0);
      // bank-api's trace of the accounts call shows the token introspected at the bank, not read offline.
      const events = await ownTraceEvents(config, bundle, bundle.endpoints.trace.bankApi);
      const accountsCall = events.find((event) => event.url?.endsWith('/aisp/accounts'));
      expect(accountsCall?.checks?.map((check) => check.name)).toContain(
        'Token: introspected at bank-op (opaque), active, for this API, in date',
      );
    } finally {
      await bankBrowser.close();
    }
  });

  it('registers the learner’s software by DCR and reads the accounts the customer shared, DPoP-bound', async () => {
    const { bundle, redirectUri } = await learnerBundle(config);
    const lines: string[] = [];
    const bankBrowser = createSandboxAgent({}, config);
    try {
      const result = await runFlow({
        bundle,
        log: (line) => lines.push(line),
        authorize: customerAllows(config, redirectUri, bankBrowser),
      });
      expect(result.accounts.length).toBeGreaterThan(0);
      expect(result.accounts[0]).toMatchObject({ AccountId: expect.any(String) });
      expect(lines.filter((line) => /^\d\. /.test(line)).map((line) => line.slice(0, 2))).toEqual([
        '1.',
        '2.',
        '3.',
        '4.',
        '5.',
        '6.',
      ]);
      expect(lines.join('\n')).toMatch(/token_type dpop/i);
      // The learner reads their own traffic at the bank's API with their own transport certificate.
      expect(await ownTraceUrls(config, bundle, bundle.endpoints.trace.bankApi)).toEqual(
        expect.arrayContaining([expect.stringMatching(/\/aisp\/accounts$/)]),
      );
    } finally {
      await bankBrowser.close();
    }
  });

  it('from the command line: prints the authorization URL and takes the callback URL pasted on stdin', async () => {
    const { bundle } = await learnerBundle(config);
    const bankBrowser = createSandboxAgent({}, config);
    let pasted = false;
    try {
      const { code, stdout, stderr } = await runCli(
        [writeBundle(config, bundle, 'learner.bundle.json')],
        (output, stdin) => {
          const url = /^\s+(https:\/\/\S+\/authorize\?\S+)$/m.exec(output)?.[1];
          if (!url || pasted || !output.includes('or paste here')) return;
          pasted = true;
          // The customer signs in and consents in "a browser"; the learner copies the address bar into the terminal.
          void new CustomerBrowser({ dispatcher: bankBrowser, bank: config.bankOp.issuer })
            .authorize(url, demoCustomer())
            .then((back) => stdin.write(`${back.kind === 'redirect' ? back.url.href : 'not a redirect'}\n`));
        },
      );
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(/its certificate is self-signed, SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
      expect(stdout).toMatch(/account \d+/);
      expect(stdout).toContain('Done: the bank shared the accounts with your own client.');
    } finally {
      await bankBrowser.close();
    }
  });

  it('stops on a tampered signing key with the bank’s invalid_client and its clause, not a stack trace', async () => {
    const { bundle } = await learnerBundle(config);
    // Another key under the directory's kid: the bank verifies the client assertion with the published key.
    const impostor = await exportJWK((await generateKeyPair('PS256', { extractable: true })).privateKey);
    const signing = bundle.signing.privateJwks.keys.find((key) => key.alg === 'PS256')!;
    Object.assign(signing, impostor);
    const { code, stdout, stderr } = await runCli([writeBundle(config, bundle, 'tampered.bundle.json')]);
    expect(code).toBe(1);
    expect(stdout).toContain('registered: client_id');
    expect(stderr).toMatch(/Stopped: the bank answered 401 invalid_client: .*RFC 7523/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
