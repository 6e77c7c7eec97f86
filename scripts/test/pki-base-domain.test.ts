// `pnpm pki:ensure` after FAPI_BASE_DOMAIN changed: the parties' server certificates are issued again for
// the new names (same keys), and everything a learner or a participant already holds stays: the root CA,
// the Directory CA, the participants' certificates and keys, the bank's and the directory's signing keys.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { workerPort } from '@fapi-sandbox/fapi-core/testing';
import { close, createSandboxAgent, createWebServer, listen } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPki } from '../src/pki/check.js';
import { ensurePki, generatedNotice } from '../src/pki/ensure.js';
import { generatePki } from '../src/pki/generate.js';
import { pkiLayout } from '../src/pki/layout.js';

let tmp: string;
let onLocalhost: SandboxConfig;
let onRoomDomain: SandboxConfig;
/** Every file of the PKI generated for `*.localhost`, by relative path. */
const before = new Map<string, string>();
let outcome: Awaited<ReturnType<typeof ensurePki>>;

const certsEnv = () => ({ ...process.env, FAPI_SANDBOX_CERTS_DIR: path.join(tmp, 'certs') });
const leafOf = async (file: string) => new X509Certificate(await readFile(file));

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'fapi-pki-domain-'));
  onLocalhost = loadConfig({ ...certsEnv(), FAPI_BASE_DOMAIN: '' });
  onRoomDomain = loadConfig({ ...certsEnv(), FAPI_BASE_DOMAIN: 'sandbox.test' });
  await generatePki(onLocalhost);
  for (const planned of pkiLayout(onLocalhost))
    before.set(planned.relativePath, await readFile(planned.path, 'utf8'));
  outcome = await ensurePki(onRoomDomain);
}, 60_000);

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('pnpm pki:ensure under a new base domain', () => {
  it('says the configuration names other hosts, and issues the server certificates again', () => {
    if (outcome.action !== 'generated')
      throw new Error('expected the server certificates to be issued again');
    expect(outcome.reasons).toHaveLength(1);
    expect(outcome.reasons[0]).toMatch(
      /^the sandbox configuration names other hosts \(base domain sandbox\.test\): servers\/directory\.crt names directory\.localhost, mtls\.directory\.localhost, localhost, not directory\.sandbox\.test, mtls\.directory\.sandbox\.test, localhost;/,
    );
    expect(outcome.result.reissued).toBe('servers');
    expect(outcome.result.root.reused).toBe(true);
    expect(generatedNotice(onRoomDomain, outcome)).toMatch(
      /^Issued the parties' server certificates again in .* Kept: the root CA \(no learner imports it again\)/,
    );
  });

  it("names every party's new hosts in its server certificate (and localhost, for checks on the host)", async () => {
    const expected = {
      directory: ['directory.sandbox.test', 'mtls.directory.sandbox.test'],
      bankOp: ['bank.sandbox.test', 'mtls.bank.sandbox.test'],
      bankApi: ['api.bank.sandbox.test'],
      tpp: ['tpp.sandbox.test'],
    } as const;
    for (const [key, names] of Object.entries(expected)) {
      const leaf = await leafOf(onRoomDomain[key as keyof typeof expected].serverCert);
      for (const name of names) expect(leaf.checkHost(name), `${key} ${name}`).toBe(name);
      expect(leaf.checkHost('localhost')).toBe('localhost');
      expect(leaf.checkHost('bank.localhost')).toBeUndefined();
      expect(leaf.subject).toContain(`CN=${names[0]}`);
    }
  });

  it("keeps the root CA, the Directory CA, the participants' files and every server key", () => {
    const kept = [
      'ca/root-ca.crt',
      'ca/root-ca.key',
      'ca/directory-ca.crt',
      'ca/directory-ca.key',
      'ca/client-trust-bundle.pem',
      'participants/tpp-demo/transport.crt',
      'participants/tpp-demo/transport.key',
      'participants/tpp-demo/signing.private.jwks.json',
      'participants/tpp-second/signing.public.jwks.json',
      'bank-op/signing.private.jwks.json',
      'directory/ssa-signing.private.jwks.json',
      'servers/bank-op.key',
      'servers/tpp.key',
    ];
    for (const file of kept) expect(before.has(file), file).toBe(true);
    return Promise.all(
      kept.map(async (file) =>
        expect(await readFile(path.join(onRoomDomain.certsDir, file), 'utf8'), file).toBe(before.get(file)),
      ),
    );
  });

  it('chains the new server certificates to the same root, through a new Server CA', async () => {
    const root = await leafOf(onRoomDomain.ca.root);
    const serverCa = await leafOf(onRoomDomain.ca.server);
    expect(before.get('ca/server-ca.crt')).not.toBe(await readFile(onRoomDomain.ca.server, 'utf8'));
    expect(serverCa.checkIssued(root) && serverCa.verify(root.publicKey)).toBe(true);
    const leaf = await leafOf(onRoomDomain.bankOp.serverCert);
    expect(leaf.checkIssued(serverCa) && leaf.verify(serverCa.publicKey)).toBe(true);
    expect(await readFile(onRoomDomain.ca.serverTrustBundle, 'utf8')).toBe(
      `${await readFile(onRoomDomain.ca.root, 'utf8')}${await readFile(onRoomDomain.ca.server, 'utf8')}`,
    );
  });

  it('leaves the PKI fresh for the new domain, and reissues again when the domain goes back', async () => {
    expect((await checkPki(onRoomDomain)).fresh).toBe(true);
    const back = await checkPki(onLocalhost);
    expect(back.fresh === false && back.serverNamesOnly).toBe(true);
  });

  it('lets Node reach a party by its new name through the sandbox resolver, verifying the new certificate', async () => {
    const config = loadConfig({
      ...certsEnv(),
      FAPI_BASE_DOMAIN: 'sandbox.test',
      FAPI_BANK_OP_PORT: String(await workerPort()),
    });
    const server = createWebServer(config.bankOp, (_req, res) => res.end('hello from bank-op'));
    await listen(server, config.bankOp.web);
    try {
      const response = await fetch(`${config.bankOp.issuer}/`, {
        dispatcher: createSandboxAgent({}, config),
      });
      expect(await response.text()).toBe('hello from bank-op');
      // The old name is no longer in the certificate: a client that asks for it is refused.
      const oldName = `https://bank.localhost:${config.bankOp.web.port}/`;
      await expect(fetch(oldName, { dispatcher: createSandboxAgent({}, config) })).rejects.toMatchObject({
        cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      });
    } finally {
      await close(server as https.Server);
    }
  });
});
