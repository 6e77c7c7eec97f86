// Certificates from CSRs: issued under the Directory CA with the directory's subject, usable over mTLS,
// revocable (and the revocation visible in the status endpoint, the CRL and the JWKS); bad CSRs refused.
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { type Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_SSA_PATH,
  generateCsr,
  oauthError,
  startTestDirectory,
  type TestDirectory,
  x509,
} from './helpers.js';

let t: TestDirectory;
const agents: Agent[] = [];

beforeAll(async () => {
  t = await startTestDirectory();
});
afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  await t.close();
});

const certificatesPath = () => `${DEMO_SSA_PATH(t.config)}/certificates`;

interface IssuedBody {
  certificate: {
    serialNumber: string;
    x5tS256: string;
    type: string;
    status: string;
    kid: string | null;
    alg: string | null;
  };
  chainPem: string;
}

async function issue(type: 'transport' | 'signing', csr: string) {
  const response = await t.admin('POST', certificatesPath(), { type, csr });
  expect(response.status).toBe(201);
  return (await response.json()) as IssuedBody;
}

async function certificateCount(): Promise<number> {
  const { certificates } = (await (await t.call('/certificates')).json()) as { certificates: unknown[] };
  return certificates.length;
}

async function statusOf(x5t: string) {
  return (await (await t.call(`/certificate-status?${new URLSearchParams({ 'x5t#S256': x5t })}`)).json()) as {
    status: string;
  };
}

async function crlSerials(): Promise<string[]> {
  const crl = new x509.X509Crl(new Uint8Array(await (await t.call('/crl')).arrayBuffer()));
  return crl.entries.map((entry) => entry.serialNumber.toUpperCase());
}

describe('issuing a transport certificate from a CSR', () => {
  it('signs the CSR key under the Directory CA with the directory-set subject, and the chain verifies to the root', async () => {
    const demo = t.config.participants.demo;
    const generated = await generateCsr('EC P-256');
    const { certificate, chainPem } = await issue('transport', generated.csr);
    expect(certificate).toMatchObject({ type: 'transport', status: 'active', kid: null });

    const [leafDer, caDer] = x509.PemConverter.decode(chainPem);
    expect(caDer).toBeDefined();
    const leaf = new x509.X509Certificate(leafDer!);
    const directoryCa = new x509.X509Certificate(fs.readFileSync(t.config.ca.directory, 'utf8'));
    const root = new x509.X509Certificate(fs.readFileSync(t.config.ca.root, 'utf8'));
    expect(new x509.X509Certificate(caDer!).equal(directoryCa)).toBe(true);

    // The chain: leaf signed by the Directory CA, which the root signed.
    expect(await leaf.verify({ publicKey: directoryCa.publicKey, signatureOnly: true })).toBe(true);
    const chain = await new x509.X509ChainBuilder({ certificates: [directoryCa, root] }).build(leaf);
    expect(chain.map((c) => c.subject)).toEqual([leaf.subject, directoryCa.subject, root.subject]);
    expect(await directoryCa.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);

    // The subject is the directory's, not the CSR's (which claimed CN=impostor, O=Attacker Ltd).
    expect(leaf.subjectName.getField('CN')).toEqual([demo.softwareId]);
    expect(leaf.subjectName.getField('OU')).toEqual([demo.orgId]);
    expect(leaf.subjectName.getField('O')).toEqual([demo.orgName]);
    expect(leaf.subjectName.getField('C')).toEqual(['GB']);
    expect(leaf.subject).not.toMatch(/impostor|Attacker/);
    // The key is the CSR's key; the usages are a TLS client's.
    expect(Buffer.from(leaf.publicKey.rawData).equals(Buffer.from(generated.publicKey.rawData))).toBe(true);
    const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension);
    expect(eku?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(leaf.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);

    // Node's view agrees, and the thumbprint the directory reports is RFC 8705's x5t#S256.
    const nodeLeaf = new X509Certificate(Buffer.from(leafDer!));
    expect(nodeLeaf.serialNumber.toUpperCase()).toBe(certificate.serialNumber);
    expect(createHash('sha256').update(nodeLeaf.raw).digest('base64url')).toBe(certificate.x5tS256);
    expect((await statusOf(certificate.x5tS256)).status).toBe('active');
  });

  it('works as the TPP transport certificate over mTLS, and stops working once revoked', async () => {
    const generated = await generateCsr('RSA 2048');
    const { certificate, chainPem } = await issue('transport', generated.csr);
    const dispatcher = createSandboxAgent({ cert: chainPem, key: generated.privateKeyPem }, t.config);
    agents.push(dispatcher);
    const ssaUrl = `${t.config.directory.mtls.origin}${DEMO_SSA_PATH(t.config)}/ssa`;
    expect((await fetch(ssaUrl, { dispatcher })).status).toBe(200);

    const revoked = await t.admin('POST', `/certificates/${certificate.serialNumber}/revoke`, {
      reason: 'keyCompromise',
    });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });

    expect(await statusOf(certificate.x5tS256)).toMatchObject({ status: 'revoked' });
    expect(await crlSerials()).toContain(certificate.serialNumber);
    const refused = await fetch(ssaUrl, { dispatcher });
    expect(refused.status).toBe(403);
    expect((await oauthError(refused)).error_description).toMatch(/revoked/);
  });
});

describe('issuing a signing certificate from a CSR', () => {
  it("publishes the key in the software's JWKS with x5c, and removes it when the certificate is revoked", async () => {
    const generated = await generateCsr('RSA 2048');
    const { certificate, chainPem } = await issue('signing', generated.csr);
    expect(certificate.alg).toBe('PS256');
    const expectedKid = await calculateJwkThumbprint(await exportJWK(generated.keys.publicKey));
    expect(certificate.kid).toBe(expectedKid);
    const leaf = new x509.X509Certificate(x509.PemConverter.decode(chainPem)[0]!);
    expect(leaf.getExtension(x509.ExtendedKeyUsageExtension)).toBeNull();

    const jwksPath = `${DEMO_SSA_PATH(t.config)}/jwks`;
    const before = (await (await t.call(jwksPath)).json()) as {
      keys: { kid: string; alg: string; x5c: string[] }[];
    };
    const published = before.keys.find((key) => key.kid === certificate.kid);
    expect(published).toMatchObject({ alg: 'PS256', use: 'sig', kty: 'RSA' });
    expect(published?.x5c[0]).toBe(Buffer.from(leaf.rawData).toString('base64'));

    expect((await t.admin('POST', `/certificates/${certificate.serialNumber}/revoke`, {})).status).toBe(200);
    const after = (await (await t.call(jwksPath)).json()) as { keys: { kid: string }[] };
    expect(after.keys.map((key) => key.kid)).not.toContain(certificate.kid);
    expect(after.keys).toHaveLength(before.keys.length - 1);
  });

  it("publishes the fixture software's encryption keys (use enc, public members only) beside its signing keys", async () => {
    const { keys } = (await (await t.call(`${DEMO_SSA_PATH(t.config)}/jwks`)).json()) as {
      keys: Record<string, unknown>[];
    };
    const enc = keys.filter((key) => key.use === 'enc');
    expect(enc.map((key) => key.alg)).toEqual(['RSA-OAEP-256', 'ECDH-ES']);
    for (const key of enc) expect(key.d).toBeUndefined();
  });

  it('certifies an EC P-256 key for ES256', async () => {
    const { certificate } = await issue('signing', (await generateCsr('EC P-256')).csr);
    expect(certificate.alg).toBe('ES256');
  });
});

describe('bad input changes nothing', () => {
  async function refused(
    response: Awaited<ReturnType<TestDirectory['call']>>,
    status: number,
    pattern: RegExp,
  ): Promise<void> {
    expect(response.status).toBe(status);
    const error = await oauthError(response);
    expect(error.error_description).toMatch(pattern);
  }

  it('refuses malformed, tampered, weak and unsupported CSRs with 400', async () => {
    const before = await certificateCount();
    const good = await generateCsr('EC P-256');
    const body = good.csr.split('\n');
    // Flip a character in the last base64 line before the END line: the signature no longer verifies.
    const lastLine = body.length - 3;
    const line = body[lastLine]!;
    body[lastLine] = `${line.slice(0, 10)}${line[10] === 'A' ? 'B' : 'A'}${line.slice(11)}`;
    const tampered = body.join('\n');

    const cases: [string, RegExp][] = [
      ['not a certificate request', /not a PEM 'CERTIFICATE REQUEST' block.*RFC 2986/],
      ['-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', /does not decode/],
      [fs.readFileSync(t.config.participants.demo.transportCert, 'utf8'), /not a PEM 'CERTIFICATE REQUEST'/],
      [tampered, /signature does not verify|does not decode/],
      [(await generateCsr('RSA 1024')).csr, /RSA key is 1024 bits.*FAPI 2\.0 SP section 5\.4\.1-2/],
      [(await generateCsr('EC P-384')).csr, /EC P-384 key.*FAPI 2\.0 SP section 5\.4\.1-1/],
    ];
    for (const [csr, pattern] of cases) {
      await refused(await t.admin('POST', certificatesPath(), { type: 'transport', csr }), 400, pattern);
    }
    expect(await certificateCount()).toBe(before);
  });

  it('refuses an unknown certificate type, a missing CSR and unknown fields with 400', async () => {
    const before = await certificateCount();
    const { csr } = await generateCsr();
    await refused(await t.admin('POST', certificatesPath(), { type: 'encryption', csr }), 400, /type/);
    await refused(await t.admin('POST', certificatesPath(), { type: 'transport' }), 400, /csr/);
    await refused(
      await t.admin('POST', certificatesPath(), { type: 'transport', csr, subject: 'CN=me' }),
      400,
      /subject/,
    );
    await refused(await t.admin('POST', certificatesPath(), [1, 2]), 400, /body/);
    expect(await certificateCount()).toBe(before);
  });

  it('refuses unknown organisations and software with 404', async () => {
    const before = await certificateCount();
    const { csr } = await generateCsr();
    const demo = t.config.participants.demo;
    await refused(
      await t.admin(
        'POST',
        `/organisations/NoSuchOrg000/software-statements/${demo.softwareId}/certificates`,
        { type: 'transport', csr },
      ),
      404,
      /No organisation NoSuchOrg000/,
    );
    await refused(
      await t.admin('POST', `/organisations/${demo.orgId}/software-statements/NoSuchSoftware/certificates`, {
        type: 'transport',
        csr,
      }),
      404,
      /has no software statement NoSuchSoftware/,
    );
    expect(await certificateCount()).toBe(before);
  });

  it('refuses without or with a wrong admin credential (401), wrong content type (415), oversized (413), malformed JSON (400)', async () => {
    const before = await certificateCount();
    const { csr } = await generateCsr();
    const noCredential = await t.admin(
      'POST',
      certificatesPath(),
      { type: 'transport', csr },
      { credential: null },
    );
    expect(noCredential.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    await refused(noCredential, 401, /needs the admin credential/);
    await refused(
      await t.admin('POST', certificatesPath(), { type: 'transport', csr }, { credential: 'x'.repeat(43) }),
      401,
      /not valid/,
    );
    const authorization = { authorization: `Bearer ${t.directory.adminCredential}` };
    await refused(
      await t.call(certificatesPath(), {
        method: 'POST',
        headers: { ...authorization, 'content-type': 'application/pkcs10' },
        body: csr,
      }),
      415,
      /reads JSON only/,
    );
    await refused(
      await t.call(certificatesPath(), {
        method: 'POST',
        headers: { ...authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'transport', csr: `${csr}${' '.repeat(70_000)}` }),
      }),
      413,
      /larger than this endpoint accepts/,
    );
    await refused(
      await t.call(certificatesPath(), {
        method: 'POST',
        headers: { ...authorization, 'content-type': 'application/json' },
        body: '{"type": "transport", "csr": ',
      }),
      400,
      /not valid JSON/,
    );
    expect(await certificateCount()).toBe(before);
  });

  it('refuses to certify suspended software (409) and to revoke twice (409) or an unknown serial (404)', async () => {
    const { csr } = await generateCsr();
    expect((await t.admin('PATCH', DEMO_SSA_PATH(t.config), { status: 'suspended' })).status).toBe(200);
    const before = await certificateCount();
    await refused(await t.admin('POST', certificatesPath(), { type: 'transport', csr }), 409, /is suspended/);
    expect(await certificateCount()).toBe(before);
    expect((await t.admin('PATCH', DEMO_SSA_PATH(t.config), { status: 'active' })).status).toBe(200);

    const { certificate } = await issue('transport', csr);
    expect((await t.admin('POST', `/certificates/${certificate.serialNumber}/revoke`)).status).toBe(200);
    const crlBefore = await crlSerials();
    await refused(
      await t.admin('POST', `/certificates/${certificate.serialNumber}/revoke`),
      409,
      /already revoked/,
    );
    await refused(
      await t.admin('POST', '/certificates/00FF00FF/revoke'),
      404,
      /No certificate with serial number 00FF00FF/,
    );
    await refused(
      await t.admin('POST', `/certificates/${certificate.serialNumber}/revoke`, { reason: 'because' }),
      400,
      /reason/,
    );
    expect(await crlSerials()).toEqual(crlBefore);
  });

  it('never answers 500 to any of it', () => {
    expect(t.logs.filter((line) => line.status === 500)).toEqual([]);
  });
});
