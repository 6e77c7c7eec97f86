// bank-api's one (mTLS) listener serves the Open Banking API, nothing from disk: the bank's store and the
// keys in certs/ never leave over HTTP, however the path is dressed up, to a caller with or without a
// participant's certificate. Its answers carry HSTS and nosniff like every party's.
import { type RunningBankOp, startBankOp } from '@fapi-sandbox/bank-op';
import { type RunningDirectory, startDirectory } from '@fapi-sandbox/directory';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import {
  isolatedConfigWithDataInCheckout,
  probeListener,
  removeCheckoutTestData,
  sandboxSecrets,
} from '@fapi-sandbox/fapi-core/web-root-probes';
import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBankApi, startBankApi } from '../src/index.js';

let config: SandboxConfig;
let directory: RunningDirectory;
let bankOp: RunningBankOp;
let bankApi: RunningBankApi;
let plain: Agent;
let transport: Agent;

beforeAll(async () => {
  config = await isolatedConfigWithDataInCheckout();
  directory = await startDirectory({ config });
  bankOp = await startBankOp({ config });
  bankApi = await startBankApi({ config });
  plain = createSandboxAgent({}, config);
  transport = transportAgentFor(config.participants.demo, config);
});
afterAll(async () => {
  await Promise.all([plain?.close(), transport?.close()]);
  await bankApi?.stop();
  await bankOp?.stop();
  await directory?.stop();
  removeCheckoutTestData(config);
});

function secrets() {
  const found = sandboxSecrets(config);
  const files = found.map((secret) => secret.file);
  expect(files).toContain(config.bankOp.signingJwks);
  expect(files).toContain(config.directory.adminCredentialFile);
  expect(files.some((file) => file.endsWith('bank.sqlite'))).toBe(true);
  return found;
}

describe("bank-api's listener", () => {
  it.each([
    ['a participant with a valid transport certificate', () => transport],
    ['a caller without a certificate', () => plain],
  ])('serves no private key, admin credential or store to %s', async (_caller, dispatcher) => {
    const findings = await probeListener({
      config,
      origin: config.bankApi.web.origin,
      dispatcher: dispatcher(),
      secrets: secrets(),
    });
    expect(findings).toEqual([]);
  });

  it('still serves its OpenAPI document, with HSTS and nosniff', async () => {
    const response = await transport.request({
      origin: config.bankApi.web.origin,
      path: '/open-banking/v3.1/openapi.json',
      method: 'GET',
    });
    await response.body.text();
    expect(response.statusCode).toBe(200);
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });
});
