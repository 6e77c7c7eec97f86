// Moneywise keeps working when the directory reissues its signing certificate: the running TPP signs its
// next client assertion with the new key the directory wrote into certs/participants (no restart), and the
// bank, which refuses the old key from then on, accepts it.

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartConnectionResponse } from '../../src/shared/api.js';
import { type Sandbox, startSandbox } from './harness.js';

/** bank-op remembers the directory's answers this long. */
const STATUS_CACHE_MS = 1000;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    ownCertificates: true,
    bank: async (config) => {
      const op = await startBankOp({ config });
      return [await startBankApi({ config }), op];
    },
  });
});
afterAll(async () => {
  await sandbox?.close();
});

/** Starts a connection: the TPP pushes the authorization request (PAR) with a private_key_jwt client assertion. */
async function startConnection() {
  return sandbox.browser.api('/connections', {
    json: { profile: 'fapi2-dpop', clientAuth: 'private_key_jwt' },
  });
}

/** The directory admin reissues the certificate of Moneywise's PS256 signing key. */
async function reissuePs256SigningKey(): Promise<{ kid: string }> {
  const { config } = sandbox;
  const jwks = JSON.parse(fs.readFileSync(config.participants.demo.signingPublicJwks, 'utf8')) as {
    keys: { alg: string; x5c: string[] }[];
  };
  const key = jwks.keys.find((k) => k.alg === 'PS256')!;
  const serialNumber = new X509Certificate(Buffer.from(key.x5c[0]!, 'base64')).serialNumber.toUpperCase();
  const agent = createSandboxAgent({}, config);
  try {
    const response = await fetch(`${config.directory.web.origin}/certificates/${serialNumber}/reissue`, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        authorization: `Bearer ${fs.readFileSync(config.directory.adminCredentialFile, 'utf8').trim()}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ confirm: serialNumber }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { certificate: { kid: string } }).certificate;
  } finally {
    await agent.close();
  }
}

describe('a reissued signing certificate', () => {
  it('is used by the running TPP at its next client assertion, and the bank accepts it', async () => {
    expect((await sandbox.browser.api('/onboarding', { method: 'POST' })).status).toBe(200);
    const before = await startConnection();
    expect(before.status, JSON.stringify(before.body)).toBe(201);

    const reissued = await reissuePs256SigningKey();
    await sleep(STATUS_CACHE_MS + 200);

    const after = await startConnection();
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    expect((after.body as StartConnectionResponse).authorizationUrl).toBeTruthy();
    const privateJwks = fs.readFileSync(sandbox.config.participants.demo.signingJwks, 'utf8');
    expect(privateJwks).toContain(reissued.kid);
  });
});
