// Reissuing a fixture participant's transport certificate, the undo of the revoke lesson: nothing is revoked
// without a confirmation naming the certificate; then the old one is revoked as superseded, and a new key and
// certificate, chaining to the Directory CA, replace certs/participants/<slug>/transport.*.
// (The bank's side, old refused and new accepted, is scripts/test/directory-reissues-certificate.test.ts.)
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { isolatedConfigWithOwnCertificates } from '@fapi-sandbox/fapi-core/testing';
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
beforeAll(async () => {
  t = await startTestDirectory(await isolatedConfigWithOwnCertificates());
});
afterAll(async () => {
  await t?.close();
});

interface CertificateBody {
  serialNumber: string;
  x5tS256: string;
  status: string;
  revocationReason: string | null;
}

const demo = () => t.config.participants.demo;
const demoTransport = () => fs.readFileSync(demo().transportCert, 'utf8');

async function transportInUse(): Promise<CertificateBody> {
  const response = await t.call(
    `/certificate-status?${new URLSearchParams({ 'x5t#S256': certificateThumbprint(demoTransport()) })}`,
  );
  const status = (await response.json()) as { serialNumber: string };
  return (await (await t.call(`/certificates/${status.serialNumber}`)).json()) as CertificateBody;
}

const reissue = (serialNumber: string, body: unknown) =>
  t.admin('POST', `/certificates/${serialNumber}/reissue`, body);

describe('reissuing a transport certificate', () => {
  it('refuses without a confirmation naming the certificate, and changes nothing', async () => {
    const before = await transportInUse();
    const keyBefore = fs.readFileSync(demo().transportKey, 'utf8');
    for (const body of [{}, { confirm: 'ABCDEF' }]) {
      const refused = await reissue(before.serialNumber, body);
      expect(refused.status).toBe(400);
      const error = await oauthError(refused);
      expect(error.error).toBe('invalid_request');
      expect(error.error_description).toContain(`Reissuing revokes certificate ${before.serialNumber}`);
      expect(error.error_description).toMatch(/refuse tokens bound to it/);
      expect(error.error_description).toContain(
        `Fix: to confirm, send a JSON body whose confirm member is ${before.serialNumber}`,
      );
    }
    expect(await transportInUse()).toMatchObject({ serialNumber: before.serialNumber, status: 'active' });
    expect(fs.readFileSync(demo().transportKey, 'utf8')).toBe(keyBefore);
    // And only the admin may ask at all.
    const anonymous = await t.admin(
      'POST',
      `/certificates/${before.serialNumber}/reissue`,
      {
        confirm: before.serialNumber,
      },
      { credential: null },
    );
    expect(anonymous.status).toBe(401);
  });

  it('revokes the old certificate as superseded and writes a new key and certificate that chain to the Directory CA', async () => {
    const old = await transportInUse();
    const response = await reissue(old.serialNumber, { confirm: old.serialNumber });
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      revoked: CertificateBody;
      certificate: CertificateBody;
      files: { certificate: string; key: string };
    };
    expect(body.revoked).toMatchObject({
      serialNumber: old.serialNumber,
      status: 'revoked',
      revocationReason: 'superseded',
    });
    expect(body.certificate.status).toBe('active');
    expect(body.certificate.serialNumber).not.toBe(old.serialNumber);

    // The files the parties read now hold the new certificate (leaf, then the Directory CA) and its key.
    const [leafDer, caDer] = x509.PemConverter.decode(demoTransport());
    const leaf = new x509.X509Certificate(leafDer!);
    const directoryCa = new x509.X509Certificate(fs.readFileSync(t.config.ca.directory, 'utf8'));
    const root = new x509.X509Certificate(fs.readFileSync(t.config.ca.root, 'utf8'));
    expect(new x509.X509Certificate(caDer!).equal(directoryCa)).toBe(true);
    const chain = await new x509.X509ChainBuilder({ certificates: [directoryCa, root] }).build(leaf);
    expect(chain.map((c) => c.subject)).toEqual([leaf.subject, directoryCa.subject, root.subject]);
    expect(await leaf.verify({ publicKey: directoryCa.publicKey, signatureOnly: true })).toBe(true);
    expect(leaf.subjectName.getField('CN')).toEqual([demo().softwareId]);
    const node = new X509Certificate(Buffer.from(leafDer!));
    expect(node.serialNumber.toUpperCase()).toBe(body.certificate.serialNumber);
    expect(node.checkPrivateKey(createPrivateKey(fs.readFileSync(demo().transportKey)))).toBe(true);
    expect(fs.statSync(demo().transportKey).mode & 0o777).toBe(0o600);

    // What relying parties consult agrees: the old one revoked (and in the CRL), the new one active.
    expect(await transportInUse()).toMatchObject({
      serialNumber: body.certificate.serialNumber,
      status: 'active',
    });
    const status = async (x5t: string) =>
      (
        (await (
          await t.call(`/certificate-status?${new URLSearchParams({ 'x5t#S256': x5t })}`)
        ).json()) as CertificateBody
      ).status;
    expect(await status(old.x5tS256)).toBe('revoked');
    const crl = new x509.X509Crl(new Uint8Array(await (await t.call('/crl')).arrayBuffer()));
    expect(crl.entries.map((entry) => entry.serialNumber.toUpperCase())).toContain(old.serialNumber);

    // The superseded certificate cannot be reissued again: only the one in use can.
    const stale = await reissue(old.serialNumber, { confirm: old.serialNumber });
    expect(stale.status).toBe(409);
    expect((await oauthError(stale)).error_description).toMatch(/it was superseded/);
  });

  it('reissues a certificate the admin revoked first (the revoke lesson undone)', async () => {
    const current = await transportInUse();
    expect(
      (
        await t.admin('POST', `/certificates/${current.serialNumber}/revoke`, {
          reason: 'privilegeWithdrawn',
        })
      ).status,
    ).toBe(200);
    const refused = await reissue(current.serialNumber, {});
    expect((await oauthError(refused)).error_description).toContain(
      `replaces the revoked certificate ${current.serialNumber}`,
    );
    const response = await reissue(current.serialNumber, { confirm: current.serialNumber });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { revoked: CertificateBody; certificate: CertificateBody };
    // The earlier revocation stands as it was.
    expect(body.revoked).toMatchObject({ status: 'revoked', revocationReason: 'privilegeWithdrawn' });
    expect(await transportInUse()).toMatchObject({
      serialNumber: body.certificate.serialNumber,
      status: 'active',
    });
  });

  it('refuses certificates whose key the directory does not hold (issued from a CSR), with 409 and the fix', async () => {
    const generated = await generateCsr('EC P-256');
    const issued = await t.admin('POST', `${DEMO_SSA_PATH(t.config)}/certificates`, {
      type: 'transport',
      csr: generated.csr,
    });
    const { certificate } = (await issued.json()) as { certificate: CertificateBody };
    const refused = await reissue(certificate.serialNumber, { confirm: certificate.serialNumber });
    expect(refused.status).toBe(409);
    const error = await oauthError(refused);
    expect(error.error_description).toMatch(/issued from a CSR, whose key the directory never sees/);
    expect(error.error_description).toMatch(/Fix: .*issue a new certificate from a CSR/);
    expect((await reissue('00', { confirm: '00' })).status).toBe(404);
    // Suspended software is not certified again until it is reactivated.
    const software = DEMO_SSA_PATH(t.config);
    expect((await t.admin('PATCH', software, { status: 'suspended' })).status).toBe(200);
    const inUse = await transportInUse();
    const suspended = await reissue(inUse.serialNumber, { confirm: inUse.serialNumber });
    expect(suspended.status).toBe(409);
    expect((await oauthError(suspended)).error_description).toMatch(/is suspended; .*reactivate it first/);
    expect((await t.admin('PATCH', software, { status: 'active' })).status).toBe(200);
    expect(await transportInUse()).toMatchObject({ serialNumber: inUse.serialNumber, status: 'active' });
    expect((await reissue(certificate.serialNumber, { confirm: 1 })).status).toBe(400);
  });
});

describe('reissuing a signing certificate', () => {
  interface Jwk {
    kid: string;
    alg: string;
    kty: string;
    d?: string;
    x5c: string[];
  }
  const readJwks = (file: string) => (JSON.parse(fs.readFileSync(file, 'utf8')) as { keys: Jwk[] }).keys;
  const publishedKids = async () =>
    ((await (await t.call(`${DEMO_SSA_PATH(t.config)}/jwks`)).json()) as { keys: Jwk[] }).keys.map(
      (key) => key.kid,
    );
  async function signingCertificateOf(key: Jwk): Promise<CertificateBody & { kid: string; keyType: string }> {
    const x5t = certificateThumbprint(Buffer.from(key.x5c[0]!, 'base64'));
    const status = (await (
      await t.call(`/certificate-status?${new URLSearchParams({ 'x5t#S256': x5t })}`)
    ).json()) as { serialNumber: string };
    return (await (await t.call(`/certificates/${status.serialNumber}`)).json()) as CertificateBody & {
      kid: string;
      keyType: string;
    };
  }

  it('refuses without a confirmation naming the certificate, saying the bank will refuse what the key signed', async () => {
    const [key] = readJwks(demo().signingPublicJwks);
    const old = await signingCertificateOf(key!);
    const privateBefore = fs.readFileSync(demo().signingJwks, 'utf8');
    const refused = await reissue(old.serialNumber, {});
    expect(refused.status).toBe(400);
    const error = await oauthError(refused);
    expect(error.error_description).toContain(
      `Reissuing revokes signing certificate ${old.serialNumber} (kid ${key!.kid})`,
    );
    expect(error.error_description).toMatch(
      /refuse client assertions and request objects signed with its key/,
    );
    expect(fs.readFileSync(demo().signingJwks, 'utf8')).toBe(privateBefore);
    expect(await publishedKids()).toContain(key!.kid);
  });

  it.each(['PS256', 'ES256'])(
    'replaces the %s key: old certificate revoked, a new key of the same kind with a new kid in both JWKS files and in the software JWKS',
    async (alg) => {
      const before = readJwks(demo().signingJwks);
      const oldKey = readJwks(demo().signingPublicJwks).find((key) => key.alg === alg)!;
      const old = await signingCertificateOf(oldKey);
      const response = await reissue(old.serialNumber, { confirm: old.serialNumber });
      expect(response.status).toBe(201);
      const body = (await response.json()) as {
        revoked: CertificateBody;
        certificate: CertificateBody & { kid: string; alg: string; keyType: string };
        files: { certificate: string; key: string };
      };
      expect(body.revoked).toMatchObject({ serialNumber: old.serialNumber, revocationReason: 'superseded' });
      expect(body.certificate).toMatchObject({ status: 'active', alg, keyType: old.keyType });
      expect(body.certificate.kid).not.toBe(oldKey.kid);
      expect(body.files.certificate).toMatch(/participants\/tpp-demo\/signing\.public\.jwks\.json$/);
      expect(body.files.key).toMatch(/participants\/tpp-demo\/signing\.private\.jwks\.json$/);

      // The files: the same keys in the same order, the one reissued swapped for the new private key and its x5c.
      const privateAfter = readJwks(demo().signingJwks);
      const publicAfter = readJwks(demo().signingPublicJwks);
      expect(privateAfter.map((key) => key.alg)).toEqual(before.map((key) => key.alg));
      const newPrivate = privateAfter.find((key) => key.alg === alg)!;
      const newPublic = publicAfter.find((key) => key.alg === alg)!;
      expect(newPrivate).toMatchObject({ kid: body.certificate.kid, use: 'sig', kty: oldKey.kty });
      expect(typeof newPrivate.d).toBe('string');
      expect(newPublic.d).toBeUndefined();
      expect(newPublic.x5c).toEqual(newPrivate.x5c);
      const leaf = new X509Certificate(Buffer.from(newPrivate.x5c[0]!, 'base64'));
      expect(leaf.serialNumber.toUpperCase()).toBe(body.certificate.serialNumber);
      expect(leaf.checkPrivateKey(createPrivateKey({ key: newPrivate as never, format: 'jwk' }))).toBe(true);
      expect(fs.statSync(demo().signingJwks).mode & 0o777).toBe(0o600);
      // The other key is untouched.
      expect(privateAfter.find((key) => key.alg !== alg)).toEqual(before.find((key) => key.alg !== alg));

      // What the bank fetches as the client's jwks_uri: the new kid in, the old one out.
      const kids = await publishedKids();
      expect(kids).toContain(body.certificate.kid);
      expect(kids).not.toContain(oldKey.kid);
      expect((await signingCertificateOf(newPublic)).serialNumber).toBe(body.certificate.serialNumber);
    },
  );
});

describe('reissuing from the page', () => {
  const form = (path: string, fields: Record<string, string>, cookie = '') =>
    t.call(path, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: t.config.directory.web.origin,
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams(fields).toString(),
    });
  const page = async (path: string, cookie: string) => (await t.call(path, { headers: { cookie } })).text();

  it('offers Reissue for the signing certificates in use, and asks first, naming the kid whose signatures the bank will refuse', async () => {
    const signedIn = await form('/ui/login', { credential: t.directory.adminCredential });
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const software = `/ui${DEMO_SSA_PATH(t.config)}`;
    const keys = (
      JSON.parse(fs.readFileSync(demo().signingPublicJwks, 'utf8')) as {
        keys: { kid: string; x5c: string[] }[];
      }
    ).keys;
    const before = await page(software, cookie);
    for (const key of keys) {
      const serial = new X509Certificate(Buffer.from(key.x5c[0]!, 'base64')).serialNumber.toUpperCase();
      expect(before).toContain(`href="/ui/certificates/${serial}/reissue"`);
      const question = await page(`/ui/certificates/${serial}/reissue`, cookie);
      expect(question).toContain(`its key (kid ${key.kid}) leaves the software`);
      expect(question).toContain('the bank will refuse client assertions and request objects signed with it');
      expect(question).toContain('A new signing key (new kid) and certificate');
    }
  });

  it('marks the certificate in use, explains the fixture files, and revokes nothing before the confirmation', async () => {
    const signedIn = await form('/ui/login', { credential: t.directory.adminCredential });
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const software = `/ui${DEMO_SSA_PATH(t.config)}`;
    const current = await transportInUse();

    const before = await page(software, cookie);
    expect(before).toContain('<span class="badge in-use">in use</span>');
    expect(before).toContain(`certs/participants/${demo().slug}/transport.crt`);
    expect(before).toContain('<h2>Fixture certificates</h2>');
    expect(before).toContain('tpp back end: client certificate for bank-op');
    expect(before).toContain(`href="/ui/certificates/${current.serialNumber}/reissue"`);

    // The button leads to a question, not to a revocation.
    const question = await page(`/ui/certificates/${current.serialNumber}/reissue`, cookie);
    expect(question).toContain(`This revokes certificate <code class="id">${current.serialNumber}</code>`);
    expect(question).toContain('the bank will refuse tokens bound to it at the next call');
    expect(question).toContain(`name="confirm" value="${current.serialNumber}"`);
    // Only the admin is asked.
    expect((await t.call(`/ui/certificates/${current.serialNumber}/reissue`)).status).toBe(401);

    const unconfirmed = await form(
      `/ui/certificates/${current.serialNumber}/reissue`,
      { back: software },
      cookie,
    );
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.text()).toContain('no confirmation was sent');
    expect(await transportInUse()).toMatchObject({ serialNumber: current.serialNumber, status: 'active' });

    const confirmed = await form(
      `/ui/certificates/${current.serialNumber}/reissue`,
      { confirm: current.serialNumber, back: software },
      cookie,
    );
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe(`${software}?done=certificate-reissued`);
    const after = await page(software, cookie);
    expect(after).toContain('<span class="badge superseded">superseded</span>');
    const renewed = await transportInUse();
    expect(renewed.serialNumber).not.toBe(current.serialNumber);
    expect(after).toContain(`href="/ui/certificates/${renewed.serialNumber}/reissue"`);
    expect(after).not.toContain(`href="/ui/certificates/${current.serialNumber}/reissue"`);
  });
});
