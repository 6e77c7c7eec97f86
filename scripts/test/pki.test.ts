// The generated PKI, read back with Node's own X509 parser: every chain, name, usage, key and fixture
// is what the apps and the attack tests rely on.
import { createPrivateKey, createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Participant, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { calculateJwkThumbprint, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainText } from '../src/pki/explain.js';
import { type GenerationResult, generatePki } from '../src/pki/generate.js';
import { parsePemCertificates, parseX5cEntry } from '../src/pki/inspect.js';
import type { Jwks } from '../src/pki/jwks.js';
import { pkiLayout, readmePath, rootKeyPath } from '../src/pki/layout.js';
import { readPkiManifest } from '../src/pki/manifest.js';
import { x509 } from '../src/pki/x509.js';

const DAY_MS = 24 * 60 * 60 * 1000;

let tmp: string;
let config: SandboxConfig;
let result: GenerationResult;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'fapi-pki-'));
  config = loadConfig({ ...process.env, FAPI_SANDBOX_CERTS_DIR: path.join(tmp, 'certs') });
  result = await generatePki(config);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function certificates(file: string): Promise<X509Certificate[]> {
  return parsePemCertificates(await readFile(file, 'utf8'));
}

async function first(file: string): Promise<X509Certificate> {
  const [certificate] = await certificates(file);
  if (!certificate) throw new Error(`${file} holds no certificate`);
  return certificate;
}

async function readJwks(file: string): Promise<Jwks> {
  return JSON.parse(await readFile(file, 'utf8')) as Jwks;
}

const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });

function issuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
}

async function keyMatches(keyFile: string, certificate: X509Certificate): Promise<boolean> {
  const publicOfKey = createPublicKey(createPrivateKey(await readFile(keyFile, 'utf8')));
  return spki(publicOfKey).equals(spki(certificate.publicKey));
}

function extension<T extends x509.Extension>(
  certificate: X509Certificate,
  type: new (raw: ArrayBuffer) => T,
) {
  return new x509.X509Certificate(certificate.raw).getExtension(type);
}

function lifetimeDays(certificate: X509Certificate): number {
  return (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / DAY_MS;
}

function participantSubjectLines(p: Participant): string[] {
  return [
    'C=GB',
    `O=${p.orgName}`,
    `OU=${p.orgId}`,
    `organizationIdentifier=PSDGB-OB-${p.orgId}`,
    `CN=${p.softwareId}`,
  ];
}

describe('layout and manifest', () => {
  it('writes every planned file, keeps .gitkeep and reports the duration', async () => {
    for (const planned of pkiLayout(config)) {
      await expect(stat(planned.path), planned.relativePath).resolves.toBeTruthy();
    }
    await expect(stat(path.join(config.certsDir, '.gitkeep'))).resolves.toBeTruthy();
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.root.reused).toBe(false);
  });

  it('describes every file, with subject, serial, validity and thumbprints for certificates', async () => {
    const manifest = await readPkiManifest(config);
    expect(manifest.files.map((f) => f.path).sort()).toEqual(
      pkiLayout(config)
        .map((f) => f.relativePath)
        .sort(),
    );
    for (const file of manifest.files) {
      expect(file.what.length, file.path).toBeGreaterThan(10);
      expect(file.why.length, file.path).toBeGreaterThan(10);
      expect(file.usedBy.length, file.path).toBeGreaterThan(0);
    }
    const bankOp = manifest.files.find((f) => f.id === 'bankOp.serverCert')!;
    const leaf = await first(config.bankOp.serverCert);
    expect(bankOp.certificates?.[0]).toMatchObject({
      subject: 'C=GB, O=FAPI Sandbox, CN=bank.localhost',
      issuer: 'C=GB, O=FAPI Sandbox, CN=FAPI Sandbox Server CA',
      serialNumber: leaf.serialNumber.toUpperCase(),
      notAfter: new Date(leaf.validTo).toISOString(),
      sha256Fingerprint: leaf.fingerprint256,
    });
    expect(bankOp.certificates).toHaveLength(2);
    const jwksEntry = manifest.files.find((f) => f.id === 'participants.demo.signingPublicJwks')!;
    expect(jwksEntry.keys?.map((k) => k.alg)).toEqual(['PS256', 'ES256']);
    expect(jwksEntry.keys?.every((k) => k.certificate?.issuer.endsWith('CN=FAPI Sandbox Directory CA'))).toBe(
      true,
    );
  });

  it('explains every file in certs/README.md and in --explain', async () => {
    const manifest = await readPkiManifest(config);
    const readme = await readFile(readmePath(config), 'utf8');
    const text = explainText(manifest, 'certs/');
    for (const file of manifest.files) {
      expect(readme).toContain(`\`${file.path}\``);
      expect(text).toContain(file.path);
    }
    expect(readme).toContain(manifest.revokedSerials[0]);
    expect(readme).toContain('| File | What it is | Used by | Why |');
  });
});

describe('certificate authorities', () => {
  it('has a self-signed root that may sign CAs', async () => {
    const root = await first(config.ca.root);
    expect(root.ca).toBe(true);
    expect(root.subject).toContain('CN=FAPI Sandbox Root CA');
    expect(issuedBy(root, root)).toBe(true);
    const usage = extension(root, x509.KeyUsagesExtension)!;
    expect(usage.usages & x509.KeyUsageFlags.keyCertSign).toBeTruthy();
    expect(usage.usages & x509.KeyUsageFlags.cRLSign).toBeTruthy();
    expect(await keyMatches(rootKeyPath(config), root)).toBe(true);
    expect(Math.round(lifetimeDays(root))).toBe(3650);
  });

  it('issues the Server CA and Directory CA from the root, limited to signing leaves', async () => {
    const root = await first(config.ca.root);
    for (const [file, name] of [
      [config.ca.server, 'FAPI Sandbox Server CA'],
      [config.ca.directory, 'FAPI Sandbox Directory CA'],
    ] as const) {
      const ca = await first(file);
      expect(ca.subject).toContain(`CN=${name}`);
      expect(ca.ca).toBe(true);
      expect(issuedBy(ca, root)).toBe(true);
      expect(extension(ca, x509.BasicConstraintsExtension)?.pathLength).toBe(0);
      expect(Math.round(lifetimeDays(ca))).toBe(3650);
    }
    expect(await keyMatches(config.ca.directoryKey, await first(config.ca.directory))).toBe(true);
  });

  it('bundles root + Server CA for clients and root + Directory CA for mTLS listeners', async () => {
    const fingerprints = async (file: string) => (await certificates(file)).map((c) => c.fingerprint256);
    const [root] = await fingerprints(config.ca.root);
    const [server] = await fingerprints(config.ca.server);
    const [directory] = await fingerprints(config.ca.directory);
    expect(await fingerprints(config.ca.serverTrustBundle)).toEqual([root, server]);
    expect(await fingerprints(config.ca.clientTrustBundle)).toEqual([root, directory]);
  });

  it('uses random, positive, 16-byte serial numbers that never repeat', async () => {
    const manifest = await readPkiManifest(config);
    const serials = manifest.files.flatMap((f) => [
      ...(f.certificates ?? []).slice(0, 1).map((c) => c.serialNumber),
      ...(f.keys ?? []).flatMap((k) => (k.certificate ? [k.certificate.serialNumber] : [])),
    ]);
    expect(serials.length).toBeGreaterThan(20);
    for (const serial of serials) {
      expect(serial).toMatch(/^[0-9A-F]{32}$/);
      expect(Number.parseInt(serial.slice(0, 2), 16)).toBeLessThan(0x80);
    }
    // Bundles repeat their CAs, JWKS pairs share certificates: count distinct files' own certificates.
    const own = manifest.files
      .filter((f) => f.kind !== 'trust-bundle' && f.kind !== 'public-jwks')
      .flatMap((f) => [
        ...(f.certificates ?? []).slice(0, 1).map((c) => c.serialNumber),
        ...(f.keys ?? []).flatMap((k) => (k.certificate ? [k.certificate.serialNumber] : [])),
      ]);
    expect(new Set(own).size).toBe(own.length);
  });
});

describe('server certificates', () => {
  const parties = ['directory', 'bankOp', 'bankApi', 'tpp'] as const;

  it.each(parties)('%s: issued by the Server CA for all its host names, serverAuth only', async (key) => {
    const party = config[key];
    const [leaf, chained, ...rest] = await certificates(party.serverCert);
    const serverCa = await first(config.ca.server);
    expect(rest).toHaveLength(0);
    expect(chained?.fingerprint256).toBe(serverCa.fingerprint256);
    expect(issuedBy(leaf!, serverCa)).toBe(true);
    expect(leaf!.ca).toBe(false);
    expect(leaf!.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const hosts = [party.web.host, ...(party.mtls ? [party.mtls.host] : []), 'localhost'];
    for (const host of hosts) {
      expect(leaf!.subjectAltName).toContain(`DNS:${host}`);
      expect(leaf!.checkHost(host)).toBe(host);
    }
    expect(leaf!.checkHost('evil.localhost')).toBeUndefined();
    expect(Math.round(lifetimeDays(leaf!))).toBe(365);
    expect(await keyMatches(party.serverKey, leaf!)).toBe(true);
    expect(leaf!.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('gives each party its own key', async () => {
    const keys = await Promise.all(parties.map((key) => readFile(config[key].serverKey, 'utf8')));
    expect(new Set(keys).size).toBe(parties.length);
  });
});

describe('participants', () => {
  const which = ['demo', 'second'] as const;

  it.each(which)('%s: transport certificate from the Directory CA with the OB-style subject', async (key) => {
    const p = config.participants[key];
    const [leaf, chained] = await certificates(p.transportCert);
    const directoryCa = await first(config.ca.directory);
    expect(chained?.fingerprint256).toBe(directoryCa.fingerprint256);
    expect(issuedBy(leaf!, directoryCa)).toBe(true);
    expect(leaf!.subject.split('\n')).toEqual(participantSubjectLines(p));
    expect(leaf!.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(leaf!.ca).toBe(false);
    expect(await keyMatches(p.transportKey, leaf!)).toBe(true);
  });

  it.each(which)('%s: signing JWKS with PS256 and ES256 keys, thumbprint kids and x5c', async (key) => {
    const p = config.participants[key];
    const directoryCa = await first(config.ca.directory);
    const privateJwks = await readJwks(p.signingJwks);
    const publicJwks = await readJwks(p.signingPublicJwks);
    expect(privateJwks.keys.map((k) => k.alg)).toEqual(['PS256', 'ES256']);
    expect(publicJwks.keys.map((k) => k.kid)).toEqual(privateJwks.keys.map((k) => k.kid));

    for (const [index, publicJwk] of publicJwks.keys.entries()) {
      const privateJwk = privateJwks.keys[index]!;
      expect(publicJwk.use).toBe('sig');
      expect(publicJwk.kid).toBe(await calculateJwkThumbprint(publicJwk, 'sha256'));
      expect(publicJwk).not.toHaveProperty('d');
      expect(privateJwk).toHaveProperty('d');

      const [own, issuer] = publicJwk.x5c!.map(parseX5cEntry);
      expect(issuer?.fingerprint256).toBe(directoryCa.fingerprint256);
      expect(issuedBy(own!, directoryCa)).toBe(true);
      expect(own!.subject.split('\n')).toEqual(participantSubjectLines(p));
      expect(own!.keyUsage).toBeUndefined();
      expect(spki(own!.publicKey).equals(spki(createPublicKey({ key: publicJwk, format: 'jwk' })))).toBe(
        true,
      );

      // The private key signs what the published public key verifies.
      const signingKey = await importJWK(privateJwk as JWK, publicJwk.alg);
      const jwt = await new SignJWT({ sub: p.softwareId })
        .setProtectedHeader({ alg: publicJwk.alg!, kid: publicJwk.kid })
        .sign(signingKey);
      await expect(jwtVerify(jwt, await importJWK(publicJwk, publicJwk.alg))).resolves.toBeTruthy();
    }
    const rsa = createPublicKey({ key: publicJwks.keys[0]!, format: 'jwk' });
    expect(rsa.asymmetricKeyDetails?.modulusLength).toBeGreaterThanOrEqual(2048);
  });

  it('gives the two participants different keys', async () => {
    const [demo, second] = await Promise.all(
      which.map(async (key) =>
        (await readJwks(config.participants[key].signingPublicJwks)).keys.map((k) => k.kid),
      ),
    );
    expect(demo!.filter((kid) => second!.includes(kid))).toEqual([]);
  });
});

describe('bank-op and directory signing keys', () => {
  it.each([
    ['bank-op', () => config.bankOp.signingJwks],
    ['directory SSA', () => config.directory.ssaSigningJwks],
  ] as const)('%s: private JWKS with PS256 (RSA 2048) and ES256 keys', async (_name, file) => {
    const jwks = await readJwks(file());
    expect(jwks.keys.map((k) => [k.alg, k.kty, k.use])).toEqual([
      ['PS256', 'RSA', 'sig'],
      ['ES256', 'EC', 'sig'],
    ]);
    for (const jwk of jwks.keys) {
      expect(jwk.d).toBeTypeOf('string');
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = jwk;
      expect(jwk.kid).toBe(await calculateJwkThumbprint(publicMembers, 'sha256'));
    }
    const rsa = createPrivateKey({ key: jwks.keys[0]!, format: 'jwk' });
    expect(rsa.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });
});

describe('negative fixtures', () => {
  it('expired transport certificate: trusted issuer, demo identity, notAfter in the past', async () => {
    const [leaf] = await certificates(config.negative.expiredTransportCert);
    expect(issuedBy(leaf!, await first(config.ca.directory))).toBe(true);
    expect(leaf!.subject.split('\n')).toEqual(participantSubjectLines(config.participants.demo));
    expect(Date.parse(leaf!.validTo)).toBeLessThan(Date.now());
    expect(await keyMatches(config.negative.expiredTransportKey, leaf!)).toBe(true);
  });

  it('untrusted transport certificate: demo subject, but no chain to the Directory CA', async () => {
    const [leaf, chained] = await certificates(config.negative.untrustedTransportCert);
    const untrustedCa = await first(config.negative.untrustedCa);
    const directoryCa = await first(config.ca.directory);
    const demoLeaf = await first(config.participants.demo.transportCert);
    expect(leaf!.subject).toBe(demoLeaf.subject);
    expect(issuedBy(leaf!, untrustedCa)).toBe(true);
    expect(leaf!.verify(directoryCa.publicKey)).toBe(false);
    expect(leaf!.verify((await first(config.ca.root)).publicKey)).toBe(false);
    expect(chained?.fingerprint256).toBe(untrustedCa.fingerprint256);
    expect(untrustedCa.subject).toContain('CN=Untrusted CA');
    expect(issuedBy(untrustedCa, untrustedCa)).toBe(true);
    for (const bundle of [config.ca.serverTrustBundle, config.ca.clientTrustBundle]) {
      const members = (await certificates(bundle)).map((c) => c.fingerprint256);
      expect(members).not.toContain(untrustedCa.fingerprint256);
    }
    expect(await keyMatches(config.negative.untrustedTransportKey, leaf!)).toBe(true);
  });

  it('revoked transport certificate: valid and trusted, its serial listed as revoked', async () => {
    const [leaf] = await certificates(config.negative.revokedTransportCert);
    const manifest = await readPkiManifest(config);
    expect(issuedBy(leaf!, await first(config.ca.directory))).toBe(true);
    expect(Date.parse(leaf!.validTo)).toBeGreaterThan(Date.now());
    expect(manifest.revokedSerials).toEqual([leaf!.serialNumber.toUpperCase()]);
    const demoLeaf = await first(config.participants.demo.transportCert);
    expect(manifest.revokedSerials).not.toContain(demoLeaf.serialNumber.toUpperCase());
    expect(await keyMatches(config.negative.revokedTransportKey, leaf!)).toBe(true);
  });
});

describe.skipIf(process.platform === 'win32')('file modes', () => {
  it('writes private keys and private JWKS readable by the owner only', async () => {
    for (const planned of pkiLayout(config)) {
      const mode = (await stat(planned.path)).mode & 0o777;
      expect(mode.toString(8), planned.relativePath).toBe(planned.secret ? '600' : '644');
    }
    const secrets = pkiLayout(config)
      .filter((f) => f.secret)
      .map((f) => f.relativePath);
    expect(secrets).toEqual(
      expect.arrayContaining([
        'ca/root-ca.key',
        'ca/directory-ca.key',
        'servers/bank-op.key',
        'participants/tpp-demo/signing.private.jwks.json',
        'bank-op/signing.private.jwks.json',
        'directory/ssa-signing.private.jwks.json',
        'negative/untrusted-transport.key',
      ]),
    );
    expect(secrets).not.toContain('participants/tpp-demo/signing.public.jwks.json');
  });
});
