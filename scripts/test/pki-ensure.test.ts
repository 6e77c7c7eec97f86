// `pnpm pki:ensure` and the write path: a healthy PKI is left alone, a broken or expiring one is
// regenerated under the same root, and a failed write never leaves a half PKI behind.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkPki } from '../src/pki/check.js';
import { ensurePki, generatedNotice } from '../src/pki/ensure.js';
import { generatePki } from '../src/pki/generate.js';
import { rootKeyPath } from '../src/pki/layout.js';
import { lockPathFor } from '../src/pki/lock.js';
import { readPkiManifest } from '../src/pki/manifest.js';
import { addDays } from '../src/pki/policy.js';
import { replaceDirectory } from '../src/pki/write.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../src/pki/cli.ts', import.meta.url));

let tmp: string;
let config: SandboxConfig;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'fapi-pki-ensure-'));
  config = loadConfig({ ...process.env, FAPI_SANDBOX_CERTS_DIR: path.join(tmp, 'certs') });
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const fingerprint = async (file: string) => new X509Certificate(await readFile(file)).fingerprint256;

function expectGenerated(outcome: Awaited<ReturnType<typeof ensurePki>>) {
  if (outcome.action !== 'generated') throw new Error(`expected a regeneration, PKI was ${outcome.action}`);
  return outcome;
}

describe('ensurePki', () => {
  it('generates a PKI when there is none', async () => {
    const outcome = expectGenerated(await ensurePki(config));
    expect((await checkPki(config)).fresh).toBe(true);
    // The first `pnpm dev` printed "manifest does not exist: generate the sandbox PKI" just after
    // generating it: the reason checked before generation read as an instruction.
    const notice = generatedNotice(config, outcome);
    expect(notice).toBe(
      `Generated the sandbox PKI in ${config.certsDir} because there was no sandbox PKI yet (first run).`,
    );
    expect(notice).not.toMatch(/does not exist|generate the sandbox PKI with/);
  });

  it('leaves a fresh PKI untouched', async () => {
    await generatePki(config);
    const before = await readFile(config.pkiManifest, 'utf8');
    const rootBefore = await fingerprint(config.ca.root);
    const outcome = await ensurePki(config);
    expect(outcome.action).toBe('kept');
    expect(await readFile(config.pkiManifest, 'utf8')).toBe(before);
    expect(await fingerprint(config.ca.root)).toBe(rootBefore);
  });

  it('regenerates when a file is missing, keeping the root CA', async () => {
    await generatePki(config);
    const rootBefore = await fingerprint(config.ca.root);
    const serverBefore = await fingerprint(config.tpp.serverCert);
    await unlink(config.tpp.serverKey);

    const status = await checkPki(config);
    expect(status.fresh).toBe(false);
    const outcome = expectGenerated(await ensurePki(config));
    expect(outcome.reasons).toContain('servers/tpp.key is missing');
    expect(outcome.result.root.reused).toBe(true);
    expect(await fingerprint(config.ca.root)).toBe(rootBefore);
    expect(await fingerprint(config.tpp.serverCert)).not.toBe(serverBefore);
    expect((await checkPki(config)).fresh).toBe(true);
  });

  it("adds the bank's encryption keys to a PKI generated before them, regenerating nothing else", async () => {
    await generatePki(config);
    // A PKI of the earlier layout: no encryption JWKS, and the manifest does not list it.
    await unlink(config.bankOp.encryptionJwks);
    const manifest = await readPkiManifest(config);
    const older = { ...manifest, files: manifest.files.filter((f) => f.id !== 'bankOp.encryptionJwks') };
    await writeFile(config.pkiManifest, JSON.stringify(older, null, 2));
    const serverBefore = await fingerprint(config.bankOp.serverCert);
    const signingBefore = await readFile(config.bankOp.signingJwks, 'utf8');

    const outcome = await ensurePki(config);
    if (outcome.action !== 'kept') throw new Error(`expected the PKI kept, it was ${outcome.action}`);
    expect(outcome.added).toEqual(['bank-op/encryption.private.jwks.json']);
    expect(await fingerprint(config.bankOp.serverCert)).toBe(serverBefore);
    expect(await readFile(config.bankOp.signingJwks, 'utf8')).toBe(signingBefore);
    const keys = JSON.parse(await readFile(config.bankOp.encryptionJwks, 'utf8')).keys;
    expect(keys.map((k: { alg: string; use: string }) => `${k.alg}/${k.use}`)).toEqual([
      'RSA-OAEP-256/enc',
      'ECDH-ES/enc',
    ]);
    expect((await readPkiManifest(config)).files.map((f) => f.id)).toContain('bankOp.encryptionJwks');
    expect((await checkPki(config)).fresh).toBe(true);
  });

  it('regenerates when a certificate expires within 30 days', async () => {
    // Generated 340 days ago: the leaves have 25 days left.
    await generatePki(config, { now: addDays(new Date(), -340) });
    const status = await checkPki(config);
    if (status.fresh) throw new Error('a PKI 25 days from expiry must not count as fresh');
    expect(status.reasons.some((reason) => reason.includes('renewal window 30 days'))).toBe(true);

    const outcome = expectGenerated(await ensurePki(config));
    expect(outcome.result.root.reused).toBe(true);
    const leaf = new X509Certificate(await readFile(config.bankOp.serverCert));
    expect(Date.parse(leaf.validTo) - Date.now()).toBeGreaterThan(360 * 24 * 3600 * 1000);
  });

  it('does not count the deliberately expired fixture as a reason to regenerate', async () => {
    await generatePki(config);
    const status = await checkPki(config, { now: addDays(new Date(), 300) });
    expect(status.fresh).toBe(true);
  });

  it('regenerates when a key does not belong to its certificate', async () => {
    await generatePki(config);
    await writeFile(config.bankOp.serverKey, await readFile(config.tpp.serverKey));
    const status = await checkPki(config);
    expect(status.fresh ? [] : status.reasons).toContain(
      'servers/bank-op.key is not the key of servers/bank-op.crt',
    );
  });

  it('regenerates when a certificate was not issued by the current CA', async () => {
    await generatePki(config);
    await writeFile(
      config.participants.demo.transportCert,
      await readFile(config.negative.untrustedTransportCert),
    );
    const status = await checkPki(config);
    expect(status.fresh ? [] : status.reasons).toContain(
      'participants/tpp-demo/transport.crt was not issued by the CA in ca/directory-ca.crt',
    );
  });

  it('regenerates when the configuration the PKI was made for changed', async () => {
    await generatePki(config);
    const renamed: SandboxConfig = {
      ...config,
      tpp: { ...config.tpp, web: { ...config.tpp.web, host: 'moneywise.localhost' } },
    };
    const status = await checkPki(renamed);
    expect(status.fresh ? [] : status.reasons[0]).toContain('configuration');
  });

  it('replaces a root CA whose key was lost, and says why', async () => {
    await generatePki(config);
    const rootBefore = await fingerprint(config.ca.root);
    await unlink(rootKeyPath(config));
    const outcome = expectGenerated(await ensurePki(config));
    expect(outcome.result.root).toEqual({ reused: false, reason: 'there was no root CA and key' });
    expect(await fingerprint(config.ca.root)).not.toBe(rootBefore);
  });

  it('generates only once when two callers race', async () => {
    const outcomes = await Promise.all([ensurePki(config), ensurePki(config)]);
    expect(outcomes.map((o) => o.action).sort()).toEqual(['generated', 'kept']);
    await expect(readFile(lockPathFor(config.certsDir))).rejects.toThrow();
  });
});

describe('generatePki', () => {
  it('replaces the root CA unless asked to keep it', async () => {
    await generatePki(config);
    const first = await fingerprint(config.ca.root);
    await generatePki(config, { reuseRoot: true });
    expect(await fingerprint(config.ca.root)).toBe(first);
    await generatePki(config);
    expect(await fingerprint(config.ca.root)).not.toBe(first);
    expect(
      (await readPkiManifest(config)).files.find((f) => f.id === 'ca.root')?.certificates?.[0]
        ?.sha256Fingerprint,
    ).toBe(await fingerprint(config.ca.root));
  });

  it('leaves no staging or previous folders behind', async () => {
    await generatePki(config);
    await generatePki(config);
    expect((await readdir(tmp)).sort()).toEqual(['certs']);
  });
});

describe('replaceDirectory', () => {
  it('keeps the old content when writing the new one fails', async () => {
    const target = path.join(tmp, 'tree');
    await replaceDirectory(target, [{ relativePath: 'a/old.txt', content: 'old', secret: false }]);
    await expect(
      replaceDirectory(target, [
        { relativePath: 'a/new.txt', content: 'new', secret: false },
        { relativePath: '../escape.txt', content: 'x', secret: false },
      ]),
    ).rejects.toThrow(/outside/);
    expect(await readFile(path.join(target, 'a', 'old.txt'), 'utf8')).toBe('old');
    await expect(readFile(path.join(target, 'a', 'new.txt'))).rejects.toThrow();
    expect((await readdir(tmp)).sort()).toEqual(['tree']);
  });

  it('cleans up the leftovers of a run that crashed mid-way', async () => {
    const target = path.join(tmp, 'tree');
    await mkdir(path.join(tmp, '.tree.staging-crashed'), { recursive: true });
    await replaceDirectory(target, [{ relativePath: 'f.txt', content: 'x', secret: true }]);
    expect((await readdir(tmp)).sort()).toEqual(['tree']);
    expect((await readdir(target)).sort()).toEqual(['.gitkeep', 'f.txt']);
  });
});

describe('pki CLI', () => {
  const env = () => ({ ...process.env, FAPI_SANDBOX_CERTS_DIR: config.certsDir });
  const tsx = (...args: string[]) => run(process.execPath, ['--import', 'tsx', cli, ...args], { env: env() });

  it('--ensure prints one line and exits 0 on a fresh PKI', async () => {
    await generatePki(config);
    const manifestBefore = await readFile(config.pkiManifest, 'utf8');
    const { stdout } = await tsx('--ensure');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stdout).toContain('Nothing to do');
    expect(await readFile(config.pkiManifest, 'utf8')).toBe(manifestBefore);
  });

  it('--explain describes the plan before anything is generated', async () => {
    const { stdout } = await tsx('--explain');
    expect(stdout).toContain('is not generated yet');
    expect(stdout).toContain('participants/tpp-demo/transport.crt');
  });

  it('rejects unknown options with the usage and exit code 2', async () => {
    await expect(tsx('--frobnicate')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Usage: pnpm pki'),
    });
  });
});
