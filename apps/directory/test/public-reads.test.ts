// The directory's public reads, seeded from config and the generated PKI: what banks and TPPs consult.
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STATUS_MAX_AGE_SECONDS } from '../src/index.js';
import { DEMO_SSA_PATH, oauthError, startTestDirectory, type TestDirectory, x509 } from './helpers.js';

let t: TestDirectory;

beforeAll(async () => {
  t = await startTestDirectory();
});
afterAll(async () => {
  await t.close();
});

function thumbprintOfPemFile(file: string): string {
  return createHash('sha256')
    .update(new X509Certificate(fs.readFileSync(file)).raw)
    .digest('base64url');
}

describe('seeded participants', () => {
  it('answers the health check pnpm dev polls', async () => {
    const response = await t.call('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', party: 'directory' });
  });

  it('lists the bank as an authorisation server with its discovery and API URLs', async () => {
    const response = await t.call('/participants');
    expect(response.status).toBe(200);
    const { authorisationServers } = (await response.json()) as {
      authorisationServers: Record<string, unknown>[];
    };
    expect(authorisationServers).toEqual([
      {
        orgId: t.config.bank.orgId,
        orgName: t.config.bank.orgName,
        status: 'active',
        issuer: t.config.bankOp.issuer,
        discoveryUrl: `${t.config.bankOp.issuer}/.well-known/openid-configuration`,
        apiBaseUrl: t.config.bankApi.baseUrl,
        customerFriendlyName: 'Sandbox Bank',
        logoUri: `${t.config.bankOp.web.origin}/logo.svg`,
      },
    ]);
  });

  it('lists both demo TPPs with their roles, redirect URIs and jwks_uri', async () => {
    const { softwareStatements } = (await (await t.call('/participants')).json()) as {
      softwareStatements: Record<string, unknown>[];
    };
    for (const participant of [t.config.participants.demo, t.config.participants.second]) {
      expect(softwareStatements).toContainEqual({
        orgId: participant.orgId,
        orgName: participant.orgName,
        softwareId: participant.softwareId,
        clientName: participant.clientName,
        status: 'active',
        roles: participant.roles,
        redirectUris: participant.redirectUris,
        jwksUri: `${t.config.directory.web.origin}/organisations/${participant.orgId}/software-statements/${participant.softwareId}/jwks`,
        logoUri: participant.logoUri,
      });
    }
    expect(softwareStatements).toHaveLength(2);
  });

  it('reads organisations and software statements, and answers 404 for unknown ids', async () => {
    const organisations = (await (await t.call('/organisations')).json()) as {
      organisations: { orgId: string }[];
    };
    expect(organisations.organisations.map((o) => o.orgId).sort()).toEqual(
      [t.config.bank.orgId, t.config.participants.demo.orgId, t.config.participants.second.orgId].sort(),
    );

    const bank = (await (await t.call(`/organisations/${t.config.bank.orgId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(bank).toMatchObject({
      orgId: t.config.bank.orgId,
      orgName: t.config.bank.orgName,
      status: 'active',
    });

    const demo = t.config.participants.demo;
    const software = await t.call(DEMO_SSA_PATH(t.config));
    expect(software.status).toBe(200);
    expect(await software.json()).toMatchObject({
      orgId: demo.orgId,
      softwareId: demo.softwareId,
      clientName: demo.clientName,
      status: 'active',
      ownStatus: 'active',
      orgStatus: 'active',
      ssaUrl: `${t.config.directory.mtls.origin}${DEMO_SSA_PATH(t.config)}/ssa`,
    });

    const list = (await (await t.call(`/organisations/${demo.orgId}/software-statements`)).json()) as {
      softwareStatements: { softwareId: string }[];
    };
    expect(list.softwareStatements.map((s) => s.softwareId)).toEqual([demo.softwareId]);

    const unknownOrg = await t.call('/organisations/NoSuchOrg000');
    expect(unknownOrg.status).toBe(404);
    expect((await oauthError(unknownOrg)).error).toBe('not_found');
    // A real software id under the wrong organisation is not found either.
    const wrongOrg = await t.call(
      `/organisations/${t.config.bank.orgId}/software-statements/${demo.softwareId}`,
    );
    expect(wrongOrg.status).toBe(404);
  });

  it('answers unknown routes with a JSON 404, never HTML', async () => {
    const response = await t.call('/no/such/thing');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect((await oauthError(response)).error_description).toMatch(/no GET \/no\/such\/thing/);
  });
});

describe('keys', () => {
  it("publishes the directory's SSA keys without any private member", async () => {
    const response = await t.call('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    const privateFile = JSON.parse(fs.readFileSync(t.config.directory.ssaSigningJwks, 'utf8')) as {
      keys: { kid: string }[];
    };
    expect(keys.map((k) => k.kid).sort()).toEqual(privateFile.keys.map((k) => k.kid).sort());
    for (const key of keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
      expect(key.use).toBe('sig');
    }
    expect(keys.map((k) => k.alg)).toContain('PS256');
  });

  it("serves each software's signing keys with x5c chains the Directory CA signed", async () => {
    const demo = t.config.participants.demo;
    const response = await t.call(`${DEMO_SSA_PATH(t.config)}/jwks`);
    expect(response.status).toBe(200);
    const { keys: all } = (await response.json()) as {
      keys: { kid: string; alg: string; x5c: string[]; kty: string; use: string }[];
    };
    // The software's encryption keys (use enc) sit beside them: encryption-keys.ts.
    const keys = all.filter((key) => key.use === 'sig');
    const published = JSON.parse(fs.readFileSync(demo.signingPublicJwks, 'utf8')) as {
      keys: { kid: string; alg: string }[];
    };
    expect(keys.map((k) => `${k.kid}/${k.alg}`).sort()).toEqual(
      published.keys.map((k) => `${k.kid}/${k.alg}`).sort(),
    );

    const directoryCa = new X509Certificate(fs.readFileSync(t.config.ca.directory));
    for (const key of keys) {
      const leaf = new X509Certificate(Buffer.from(key.x5c[0]!, 'base64'));
      expect(leaf.verify(directoryCa.publicKey)).toBe(true);
      const fromCertificate = leaf.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
      for (const [member, value] of Object.entries(fromCertificate))
        expect(key).toHaveProperty(member, value);
    }
  });
});

describe('revocation status', () => {
  const status = async (x5t: string) => {
    const response = await t.call(`/certificate-status?${new URLSearchParams({ 'x5t#S256': x5t })}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  it("reports the demo TPP's transport certificate as active and bound to its software", async () => {
    const demo = t.config.participants.demo;
    expect(await status(thumbprintOfPemFile(demo.transportCert))).toMatchObject({
      status: 'active',
      orgId: demo.orgId,
      softwareId: demo.softwareId,
      type: 'transport',
      serialNumber: new X509Certificate(fs.readFileSync(demo.transportCert)).serialNumber.toUpperCase(),
      softwareStatus: 'active',
    });
  });

  it('reports the revoked fixture as revoked, the expired one as expired, a foreign one as unknown', async () => {
    const revoked = await status(thumbprintOfPemFile(t.config.negative.revokedTransportCert));
    expect(revoked).toMatchObject({
      status: 'revoked',
      type: 'transport',
      revocationReason: 'keyCompromise',
    });
    expect(typeof revoked.revokedAt).toBe('string');
    expect((await status(thumbprintOfPemFile(t.config.negative.expiredTransportCert))).status).toBe(
      'expired',
    );
    expect(await status(thumbprintOfPemFile(t.config.negative.untrustedTransportCert))).toEqual({
      status: 'unknown',
      x5tS256: thumbprintOfPemFile(t.config.negative.untrustedTransportCert),
    });
  });

  it('lets banks reuse a status answer for one second only, and never an error', async () => {
    const demo = t.config.participants.demo;
    expect(STATUS_MAX_AGE_SECONDS).toBe(1);
    const reusable = `max-age=${STATUS_MAX_AGE_SECONDS}`;
    const certificate = await t.call(
      `/certificate-status?${new URLSearchParams({ 'x5t#S256': thumbprintOfPemFile(demo.transportCert) })}`,
    );
    expect(certificate.headers.get('cache-control')).toBe(reusable);
    const software = await t.call(`/organisations/${demo.orgId}/software-statements/${demo.softwareId}`);
    expect(software.headers.get('cache-control')).toBe(reusable);
    // The keys the software holds now are part of its status (a revoked signing certificate's key goes).
    const keys = await t.call(`/organisations/${demo.orgId}/software-statements/${demo.softwareId}/jwks`);
    expect(keys.headers.get('cache-control')).toBe(reusable);
    expect(keys.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
    // A software id the directory does not know (yet) is asked about again at the next call.
    const unknown = await t.call(`/organisations/${demo.orgId}/software-statements/NoSuchSoftware`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('cache-control') ?? '').not.toMatch(/max-age/);
    // Everything else stays no-cache: lists, keys and participants are read fresh.
    expect((await t.call('/participants')).headers.get('cache-control')).toBe('no-cache');
  });

  it('refuses a malformed thumbprint with 400', async () => {
    for (const query of ['', '?x5t%23S256=short', '?x5t%23S256=a&x5t%23S256=b']) {
      const response = await t.call(`/certificate-status${query}`);
      expect(response.status).toBe(400);
      expect((await oauthError(response)).error).toBe('invalid_request');
    }
  });

  it('publishes a CRL signed by the Directory CA that lists the revoked fixture', async () => {
    const response = await t.call('/crl');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pkix-crl');
    const crl = new x509.X509Crl(new Uint8Array(await response.arrayBuffer()));
    const directoryCa = new x509.X509Certificate(fs.readFileSync(t.config.ca.directory, 'utf8'));
    expect(await crl.verify({ publicKey: directoryCa.publicKey })).toBe(true);
    expect(crl.issuer).toBe(directoryCa.subject);
    const revokedSerial = new X509Certificate(fs.readFileSync(t.config.negative.revokedTransportCert))
      .serialNumber;
    expect(crl.entries.map((entry) => entry.serialNumber.toUpperCase())).toContain(
      revokedSerial.toUpperCase(),
    );
    const demoSerial = new X509Certificate(fs.readFileSync(t.config.participants.demo.transportCert))
      .serialNumber;
    expect(crl.entries.map((entry) => entry.serialNumber.toUpperCase())).not.toContain(
      demoSerial.toUpperCase(),
    );
  });
});

describe('flow trace', () => {
  it('records requests under their x-fapi-interaction-id, readable by no participant when anonymous', async () => {
    const interactionId = '2b1b6f4e-3c1d-4d7a-9a55-0d3f1c2e4b6a';
    const response = await t.call('/participants', { headers: { 'x-fapi-interaction-id': interactionId } });
    expect(response.headers.get('x-fapi-interaction-id')).toBe(interactionId);
    const events = await vi.waitFor(() => {
      const recorded = t.directory.trace.list({ interactionId });
      if (recorded.length === 0) throw new Error('not recorded yet');
      return recorded;
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ party: 'directory', method: 'GET', url: '/participants', status: 200 });
    // A public read names no participant: it is nobody's to read back (apps/directory/test/trace-access.test.ts).
    expect(events[0]!.participant).toBeUndefined();
  });
});
