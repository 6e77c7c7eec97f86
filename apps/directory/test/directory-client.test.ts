// fapi-core's typed directory client (the reads bank-op and bank-api rely on), against a running directory
// (kept here: fapi-core must not depend on apps). A participant's own reads, its SSA and the participants
// list, are the client engine's: scripts/test/client-engine-directory.test.ts.
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { createDirectoryClient, DirectoryError } from '@fapi-sandbox/fapi-core/directory-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDirectory, type TestDirectory } from './helpers.js';

let t: TestDirectory;

beforeAll(async () => {
  t = await startTestDirectory();
});
afterAll(async () => {
  await t.close();
});

const client = () => createDirectoryClient({ config: t.config, dispatcher: t.web });

describe('directory client', () => {
  it('reads participants, a software statement, its JWKS and the directory JWKS', async () => {
    const demo = t.config.participants.demo;
    const participants = await client().participants();
    expect(participants.authorisationServers[0]?.issuer).toBe(t.config.bankOp.issuer);
    expect(participants.softwareStatements.map((s) => s.softwareId).sort()).toEqual(
      [demo.softwareId, t.config.participants.second.softwareId].sort(),
    );

    const software = await client().softwareStatement(demo.orgId, demo.softwareId);
    expect(software).toMatchObject({
      clientName: demo.clientName,
      status: 'active',
      redirectUris: demo.redirectUris,
    });
    const softwareJwks = await client().softwareJwks(demo.orgId, demo.softwareId);
    expect(softwareJwks.keys.length).toBeGreaterThan(0);
    expect((await client().jwks()).keys.some((key) => key.alg === 'PS256')).toBe(true);
  });

  it('reads certificate status by thumbprint', async () => {
    const thumbprint = (file: string) =>
      createHash('sha256')
        .update(new X509Certificate(fs.readFileSync(file)).raw)
        .digest('base64url');
    expect(
      (await client().certificateStatus(thumbprint(t.config.participants.demo.transportCert))).status,
    ).toBe('active');
    expect(
      (await client().certificateStatus(thumbprint(t.config.negative.revokedTransportCert))).status,
    ).toBe('revoked');
    expect(
      (await client().certificateStatus(thumbprint(t.config.negative.untrustedTransportCert))).status,
    ).toBe('unknown');
  });

  it('reports refusals as DirectoryError with the status and OAuth error', async () => {
    const demo = t.config.participants.demo;
    const missing = await client()
      .softwareStatement(demo.orgId, 'NoSuchSoftware')
      .catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(DirectoryError);
    expect(missing).toMatchObject({ status: 404, error: 'not_found' });
  });

  it('reports an unreachable directory as the network failure', async () => {
    const elsewhere = createDirectoryClient({
      config: {
        ...t.config,
        directory: {
          ...t.config.directory,
          web: { ...t.config.directory.web, origin: 'https://127.0.0.1:1' },
        },
      },
      dispatcher: t.web,
    });
    await expect(elsewhere.participants()).rejects.toThrow();
  });
});
