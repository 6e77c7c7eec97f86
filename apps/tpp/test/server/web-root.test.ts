// No file outside the web root leaves the TPP's listener, in either way it serves the React app: Vite in
// middleware mode (what `pnpm dev` and the e2e suite run without a build) and the prebuilt dist/. Vite's
// default allow list was the whole checkout, so /@fs/<path> handed out bank-op's token-signing key. And in
// both, every script of the page runs under a Content-Security-Policy nonce.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningDirectory, startDirectory } from '@fapi-sandbox/directory';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import {
  isolatedConfigWithDataInCheckout,
  probeListener,
  removeCheckoutTestData,
  type SecretFile,
  sandboxSecrets,
} from '@fapi-sandbox/fapi-core/web-root-probes';
import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningTpp, startTpp } from '../../src/index.js';
import { appRoot, DEV_SERVER_FOLDERS } from '../../src/web-folders.js';

let config: SandboxConfig;
let directory: RunningDirectory;
let agent: Agent;

beforeAll(async () => {
  config = await isolatedConfigWithDataInCheckout();
  // The directory writes its admin credential and store into data/, as under pnpm dev.
  directory = await startDirectory({ config });
  agent = createSandboxAgent({}, config);
});
afterAll(async () => {
  await agent?.close();
  await directory?.stop();
  removeCheckoutTestData(config);
});

/** The secrets the probes aim at, after the TPP has opened its own store too. */
function secretsNow(): SecretFile[] {
  const secrets = sandboxSecrets(config);
  const files = secrets.map((secret) => secret.file);
  expect(files).toContain(config.bankOp.signingJwks);
  expect(files).toContain(config.directory.adminCredentialFile);
  expect(files.filter((file) => file.startsWith(config.dataDir) && file.endsWith('.sqlite')).length).toBe(2);
  return secrets;
}

/** Every <script> of a page carries this response's nonce, which the CSP names; inline scripts need it. */
function expectScriptsUnderCsp(page: { headers: Record<string, unknown>; text: string }): string {
  const policy = String(page.headers['content-security-policy']);
  const nonce = policy.match(/script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/)?.[1];
  expect(nonce, policy).toBeDefined();
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(policy).toMatch(/object-src 'none'/);
  expect(policy).toMatch(/base-uri 'none'/);
  const scripts = page.text.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  expect(page.text).not.toContain('__MONEYWISE_CSP_NONCE__');
  expect(page.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  expect(page.headers['x-content-type-options']).toBe('nosniff');
  return nonce!;
}

async function get(url: string) {
  const response = await agent.request({
    origin: config.tpp.web.origin,
    path: url,
    method: 'GET',
    headers: { accept: 'text/html' },
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

describe('in development, with Vite in middleware mode', () => {
  let tpp: RunningTpp;
  beforeAll(async () => {
    tpp = await startTpp({ config, web: 'vite' });
  });
  afterAll(async () => {
    await tpp?.stop();
  });

  it('serves no private key, admin credential or store through /@fs/, /@id/, /node_modules/ or climbing out', async () => {
    const findings = await probeListener({
      config,
      origin: config.tpp.web.origin,
      dispatcher: agent,
      secrets: secretsNow(),
      roots: DEV_SERVER_FOLDERS,
    });
    expect(findings).toEqual([]);
  });

  it('refuses with an OAuth-style error that names the rule, not with the app shell', async () => {
    const key = await get(`/@fs${config.bankOp.signingJwks}`);
    expect(key.status).toBe(404);
    expect(JSON.parse(key.text)).toMatchObject({ error: 'not_found' });
    expect(JSON.parse(key.text).error_description).toMatch(/only its own web root.*Fix: /);
    const climbing = await get('/%252e%252e/%252e%252e/certs/bank-op/signing.private.jwks.json');
    expect(climbing.status).toBe(400);
    expect(JSON.parse(climbing.text)).toMatchObject({ error: 'invalid_request' });
    expect(JSON.parse(climbing.text).error_description).toMatch(/RFC 3986 section 5\.2\.4.*Fix: /);
  });

  it("covers the page's scripts, React's inline refresh preamble included, with a fresh nonce per response", async () => {
    const first = await get('/');
    expect(first.text).toMatch(/<script type="module" nonce="[^"]+">import \{ injectIntoGlobalHook \}/);
    const nonce = expectScriptsUnderCsp(first);
    expect(expectScriptsUnderCsp(await get('/connections'))).not.toBe(nonce);
    expectScriptsUnderCsp(await get('/index.html'));
  });

  it('still serves the app: its page, its modules, the prebundled dependencies and the shared code', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<div id="root"><\/div>/);
    const main = await get('/main.tsx');
    expect(main.status).toBe(200);
    const dependency = main.text.match(/"(\/@fs\/[^"]+\/node_modules\/\.vite\/deps\/react\.js[^"]*)"/)?.[1];
    expect(dependency).toBeDefined();
    expect((await get(dependency!)).status).toBe(200);
    const client = await get('/@vite/client');
    expect(client.status).toBe(200);
    const env = client.text.match(/"(\/@fs\/[^"]+\/env\.mjs)"/)?.[1];
    expect((await get(env!)).status).toBe(200);
    expect((await get(`/@fs${appRoot}/src/shared/timeline.ts`)).status).toBe(200);
    expect((await get('/logo.svg')).status).toBe(200);
  });
});

describe('built, from dist/', () => {
  let tpp: RunningTpp;
  let builtDir: string;
  beforeAll(async () => {
    builtDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moneywise-dist-'));
    const { build } = await import('vite');
    await build({
      configFile: path.join(appRoot, 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir: builtDir, emptyOutDir: true },
    });
    tpp = await startTpp({ config, web: 'dist', distDir: builtDir });
  });
  afterAll(async () => {
    await tpp?.stop();
    fs.rmSync(builtDir, { recursive: true, force: true });
  });

  it('serves no private key, admin credential or store through /@fs/, /@id/, /node_modules/ or climbing out', async () => {
    const findings = await probeListener({
      config,
      origin: config.tpp.web.origin,
      dispatcher: agent,
      secrets: secretsNow(),
      roots: [builtDir, path.join(builtDir, 'assets')],
    });
    expect(findings).toEqual([]);
  });

  it("covers the page's scripts with a fresh nonce per response", async () => {
    const nonce = expectScriptsUnderCsp(await get('/'));
    expect(expectScriptsUnderCsp(await get('/onboarding'))).not.toBe(nonce);
    expectScriptsUnderCsp(await get('/index.html'));
  });

  it('still serves the app and its assets', async () => {
    const page = await get('/connections/c1');
    expect(page.status).toBe(200);
    const script = page.text.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    expect((await get(script!)).status).toBe(200);
  });
});
