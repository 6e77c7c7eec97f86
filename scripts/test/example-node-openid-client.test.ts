// Bring your own client, in Node: the example in examples/node-openid-client (openid-client 6) runs the
// whole FAPI 2.0 flow against the real directory, bank-op and bank-api with nothing but a learner's client
// bundle — its own organisation, software statement, redirect URI, transport certificate and signing keys.
import fs from 'node:fs';
import path from 'node:path';
import { CustomerBrowser } from '@fapi-sandbox/fapi-client/customer';
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { workerPort } from '@fapi-sandbox/fapi-core/testing';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { exportJWK, generateKeyPair } from 'jose';
import { Agent, fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { startCallbackListener } from '../../examples/node-openid-client/src/callback-listener.js';
import { runFlow } from '../../examples/node-openid-client/src/flow.js';
import { createLearnerBundle } from './support/learner-bundle.js';
import { ownTraceEvents, ownTraceUrls } from './support/own-trace.js';
import { demoCustomer, useRunningParties } from './support/parties.js';
import { type CommandOptions, type CommandResult, runCommand } from './support/run-command.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/node-openid-client');

let config: SandboxConfig;
useRunningParties((started) => {
  config = started;
});

async function learnerBundle(): Promise<{ bundle: ClientBundle; redirectUri: string }> {
  const redirectUri = `https://localhost:${await workerPort()}/callback`;
  return { bundle: await createLearnerBundle(config, { redirectUris: [redirectUri] }), redirectUri };
}

/** The example's command line in a child process, as a learner runs it. */
function runCli(bundleFile: string, onOutput?: CommandOptions['onOutput']): Promise<CommandResult> {
  return runCommand(process.execPath, ['--import', 'tsx', 'src/cli.ts', bundleFile], {
    cwd: EXAMPLE,
    ...(onOutput ? { onOutput } : {}),
  });
}

function writeBundle(bundle: ClientBundle, name: string): string {
  const file = path.join(config.dataDir, name);
  fs.writeFileSync(file, JSON.stringify(bundle));
  return file;
}

/** The customer at the bank allows access; the browser lands on the example's own https listener. */
function customerAllows(redirectUri: string, bankBrowser: Agent) {
  return async (url: URL) => {
    const listener = await startCallbackListener(redirectUri);
    const browser = new Agent({ connect: { ca: listener.certificatePem } });
    try {
      const back = await new CustomerBrowser({
        dispatcher: bankBrowser,
        bank: config.bankOp.issuer,
      }).authorize(url, demoCustomer());
      if (back.kind !== 'redirect')
        throw new Error(`the bank stopped on ${back.url}: ${back.html.slice(0, 300)}`);
      // The browser follows the bank's redirect to the example's own https listener.
      expect((await fetch(back.url, { dispatcher: browser })).status).toBe(200);
      return await listener.received;
    } finally {
      await browser.close();
      await listener.close();
    }
  };
}

describe('examples/node-openid-client with a learner’s own bundle', () => {
  it('with opaque access tokens: bank-api introspects each one at the bank and answers', async () => {
    const { bundle, redirectUri } = await learnerBundle();
    const bankBrowser = createSandboxAgent({}, config);
    try {
      const result = await runFlow({
        bundle,
        log: () => {},
        accessTokenFormat: 'opaque',
        authorize: customerAllows(redirectUri, bankBrowser),
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
    const { bundle, redirectUri } = await learnerBundle();
    const lines: string[] = [];
    const bankBrowser = createSandboxAgent({}, config);
    try {
      const result = await runFlow({
        bundle,
        log: (line) => lines.push(line),
        authorize: customerAllows(redirectUri, bankBrowser),
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
    const { bundle } = await learnerBundle();
    const bankBrowser = createSandboxAgent({}, config);
    let pasted = false;
    try {
      const { code, stdout, stderr } = await runCli(
        writeBundle(bundle, 'learner.bundle.json'),
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
    const { bundle } = await learnerBundle();
    // Another key under the directory's kid: the bank verifies the client assertion with the published key.
    const impostor = await exportJWK((await generateKeyPair('PS256', { extractable: true })).privateKey);
    const signing = bundle.signing.privateJwks.keys.find((key) => key.alg === 'PS256')!;
    Object.assign(signing, impostor);
    const { code, stdout, stderr } = await runCli(writeBundle(bundle, 'tampered.bundle.json'));
    expect(code).toBe(1);
    expect(stdout).toContain('registered: client_id');
    expect(stderr).toMatch(/Stopped: the bank answered 401 invalid_client: .*RFC 7523/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
