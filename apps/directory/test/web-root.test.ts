// The directory's two listeners serve its routes and its web page, nothing from disk: the SSA-signing key
// and the CA key (certs/), the admin credential and the store (data/) never leave over HTTP, however the
// path is dressed up. And every page it sends a browser carries HSTS and nosniff.
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
import { type RunningDirectory, startDirectory } from '../src/index.js';

let config: SandboxConfig;
let directory: RunningDirectory;
let plain: Agent;
let transport: Agent;

beforeAll(async () => {
  config = await isolatedConfigWithDataInCheckout();
  directory = await startDirectory({ config });
  plain = createSandboxAgent({}, config);
  transport = transportAgentFor(config.participants.demo, config);
});
afterAll(async () => {
  await Promise.all([plain?.close(), transport?.close()]);
  await directory?.stop();
  removeCheckoutTestData(config);
});

function secrets() {
  const found = sandboxSecrets(config);
  const files = found.map((secret) => secret.file);
  expect(files).toContain(config.bankOp.signingJwks);
  expect(files).toContain(config.directory.ssaSigningJwks);
  expect(files).toContain(config.directory.adminCredentialFile);
  expect(files).toContain(config.directory.inviteCodeFile);
  expect(files.some((file) => file.endsWith('directory.sqlite'))).toBe(true);
  return found;
}

describe("the directory's listeners", () => {
  it('serve no private key, admin credential or store from the web listener', async () => {
    const findings = await probeListener({
      config,
      origin: config.directory.web.origin,
      dispatcher: plain,
      secrets: secrets(),
    });
    expect(findings).toEqual([]);
  });

  it('serve none from the mTLS listener either, to a participant with a valid certificate', async () => {
    const findings = await probeListener({
      config,
      origin: config.directory.mtls.origin,
      dispatcher: transport,
      secrets: secrets(),
    });
    expect(findings).toEqual([]);
  });

  it('refuse with an OAuth-style error that names the rule and the fix', async () => {
    const response = await plain.request({
      origin: config.directory.web.origin,
      path: `/ui/${'%2e%2e/'.repeat(4)}data/directory/admin-credential.txt`,
      method: 'GET',
    });
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/RFC 3986 section 5\.2\.4\)\. Fix: /),
    });
  });

  it('still serve the public keys and the participants', async () => {
    for (const path of ['/.well-known/jwks.json', '/participants']) {
      const response = await plain.request({ origin: config.directory.web.origin, path, method: 'GET' });
      expect(response.statusCode, path).toBe(200);
      expect(await response.body.text()).not.toMatch(/"d":/);
    }
  });
});

describe("the directory's pages for the browser", () => {
  it.each([
    ['the overview', '/ui'],
    ['the sign-in page', '/ui/login'],
    ['the not-found page', '/ui/organisations/NoSuchOrg000'],
  ])('%s carries HSTS and nosniff', async (_page, path) => {
    const response = await plain.request({ origin: config.directory.web.origin, path, method: 'GET' });
    await response.body.text();
    expect(String(response.headers['content-type'])).toMatch(/^text\/html/);
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });
});
