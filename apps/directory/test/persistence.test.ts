// The store survives a restart; deleting the data folder (what pnpm reset does) returns to the seed.
import fs from 'node:fs';
import path from 'node:path';
import { hostedStorageRequested } from '@fapi-sandbox/fapi-core/testing-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SSA_PATH, generateCsr, startTestDirectory, type TestDirectory, x509 } from './helpers.js';

let t: TestDirectory;

beforeAll(async () => {
  t = await startTestDirectory();
});
afterAll(async () => {
  await t.close();
});

describe('persistence', () => {
  it('creates the admin credential once, readable by its owner only', async () => {
    const file = t.config.directory.adminCredentialFile;
    expect(file.startsWith(t.config.dataDir)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(t.directory.adminCredential);
    expect(Buffer.from(t.directory.adminCredential, 'base64url')).toHaveLength(32);
    expect(t.directory.adminCredentialCreated).toBe(true);
  });

  it('keeps organisations, statuses, certificates and the credential across a restart, without re-seeding twice', async () => {
    const credential = t.directory.adminCredential;
    expect(
      (await t.admin('POST', '/organisations', { orgId: 'KeptLtd000001', orgName: 'Kept Ltd' })).status,
    ).toBe(201);
    expect((await t.admin('PATCH', DEMO_SSA_PATH(t.config), { status: 'suspended' })).status).toBe(200);
    const issued = (await (
      await t.admin(
        'POST',
        `/organisations/${t.config.participants.second.orgId}/software-statements/${t.config.participants.second.softwareId}/certificates`,
        {
          type: 'transport',
          csr: (await generateCsr()).csr,
        },
      )
    ).json()) as { certificate: { serialNumber: string } };
    expect((await t.admin('POST', `/certificates/${issued.certificate.serialNumber}/revoke`)).status).toBe(
      200,
    );
    const participantsBefore = await (await t.call('/participants')).json();
    const certificatesBefore = await (await t.call('/certificates')).json();

    await t.restart();

    expect(t.directory.adminCredential).toBe(credential);
    expect(t.directory.adminCredentialCreated).toBe(false);
    expect((await t.call('/organisations/KeptLtd000001')).status).toBe(200);
    expect(await (await t.call(DEMO_SSA_PATH(t.config))).json()).toMatchObject({ status: 'suspended' });
    expect(await (await t.call('/participants')).json()).toEqual(participantsBefore);
    expect(await (await t.call('/certificates')).json()).toEqual(certificatesBefore);
    expect(await (await t.call(`/certificates/${issued.certificate.serialNumber}`)).json()).toMatchObject({
      status: 'revoked',
    });
    const crl = new x509.X509Crl(new Uint8Array(await (await t.call('/crl')).arrayBuffer()));
    expect(crl.entries.map((entry) => entry.serialNumber.toUpperCase())).toContain(
      issued.certificate.serialNumber,
    );
  });

  // pnpm reset's way back to the seed, on the embedded SQLite file: a hosted PostgreSQL database is not
  // in the data folder, and outlives it.
  it.skipIf(hostedStorageRequested())(
    'returns to the seeded state when the data folder is deleted',
    async () => {
      await t.directory.stop();
      fs.rmSync(path.join(t.config.dataDir, 'directory'), { recursive: true, force: true });
      const previousCredential = t.directory.adminCredential;
      t.directory = await (await import('../src/index.js')).startDirectory({
        config: t.config,
      });

      expect(t.directory.adminCredentialCreated).toBe(true);
      expect(t.directory.adminCredential).not.toBe(previousCredential);
      expect((await t.call('/organisations/KeptLtd000001')).status).toBe(404);
      expect(await (await t.call(DEMO_SSA_PATH(t.config))).json()).toMatchObject({ status: 'active' });
      const { organisations } = (await (await t.call('/organisations')).json()) as {
        organisations: unknown[];
      };
      expect(organisations).toHaveLength(3);
    },
  );
});
