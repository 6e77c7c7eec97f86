// bank-op's two listeners serve oidc-provider's endpoints and the bank's own pages, nothing from disk: its
// token-signing key (certs/bank-op), its secrets.json and its stores (data/) never leave over HTTP, however
// the path is dressed up. And every page it sends a browser carries HSTS and nosniff.
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
import { type RunningBankOp, startBankOp } from '../src/index.js';

let config: SandboxConfig;
let directory: RunningDirectory;
let bankOp: RunningBankOp;
let plain: Agent;
let transport: Agent;

beforeAll(async () => {
  config = await isolatedConfigWithDataInCheckout();
  directory = await startDirectory({ config });
  bankOp = await startBankOp({ config });
  plain = createSandboxAgent({}, config);
  transport = transportAgentFor(config.participants.demo, config);
});
afterAll(async () => {
  await Promise.all([plain?.close(), transport?.close()]);
  await bankOp?.stop();
  await directory?.stop();
  removeCheckoutTestData(config);
});

function secrets() {
  const found = sandboxSecrets(config);
  const files = found.map((secret) => secret.file);
  expect(files).toContain(config.bankOp.signingJwks);
  expect(files).toContain(config.directory.adminCredentialFile);
  expect(files.some((file) => file.endsWith('secrets.json'))).toBe(true);
  expect(files.some((file) => file.endsWith('oidc.sqlite'))).toBe(true);
  return found;
}

describe("bank-op's listeners", () => {
  it('serve no private key, secret, credential or store from the web listener', async () => {
    const findings = await probeListener({
      config,
      origin: config.bankOp.web.origin,
      dispatcher: plain,
      secrets: secrets(),
    });
    expect(findings).toEqual([]);
  });

  it('serve none from the mTLS listener either, to a participant with a valid certificate', async () => {
    const findings = await probeListener({
      config,
      origin: config.bankOp.mtls.origin,
      dispatcher: transport,
      secrets: secrets(),
    });
    expect(findings).toEqual([]);
  });

  it('still serve discovery and the public keys', async () => {
    const discovery = await plain.request({
      origin: config.bankOp.web.origin,
      path: '/.well-known/openid-configuration',
      method: 'GET',
    });
    expect(discovery.statusCode).toBe(200);
    const jwksUri = ((await discovery.body.json()) as { jwks_uri: string }).jwks_uri;
    const jwks = await plain.request({
      origin: config.bankOp.web.origin,
      path: new URL(jwksUri).pathname,
      method: 'GET',
    });
    expect(jwks.statusCode).toBe(200);
    const keys = ((await jwks.body.json()) as { keys: Record<string, unknown>[] }).keys;
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).not.toHaveProperty('d');
  });
});

describe("bank-op's pages for the browser", () => {
  const html = async (path: string) => {
    const response = await plain.request({
      origin: config.bankOp.web.origin,
      path,
      method: 'GET',
      headers: { accept: 'text/html' },
    });
    await response.body.text();
    return response;
  };

  it.each([
    ['the bank error page for an unknown sign-in', '/interaction/no-such-interaction'],
    // An unknown client passes the status gate, so oidc-provider (koa) renders this one itself.
    ["oidc-provider's own error page", '/authorize?client_id=nobody&response_type=code&scope=openid'],
    ['a refused path', '/%2e%2e/certs/bank-op/signing.private.jwks.json'],
  ])('%s carries HSTS and nosniff', async (_page, path) => {
    const response = await html(path);
    expect(String(response.headers['content-type'])).toMatch(/^text\/html/);
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });
});
