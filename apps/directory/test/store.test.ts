// The directory's store on both engines: the same repositories, the same constraints (unique keys,
// foreign keys), and transactions that write everything or nothing.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { isUniqueViolation } from '@fapi-sandbox/fapi-core/sql-database';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/domain/registry.js';
import { certificateRecordFor } from './fixtures/certificate-row.js';
import { ENGINES, openTestStore, organisation, softwareStatement, type TestStore } from './store-helpers.js';

let t: TestStore | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe.each(ENGINES)('the directory store on %s', (engine) => {
  it('keeps what it is given and reads it back in the same order', async () => {
    t = await openTestStore(engine);
    const { store } = t;
    await store.organisations.insert(organisation('OrgA'));
    await store.softwareStatements.insert(softwareStatement('OrgA', 'SoftA'));
    await store.certificates.insert(certificateRecordFor('OrgA', 'SoftA', '01'));
    expect(await store.softwareStatements.get('SoftA')).toEqual(softwareStatement('OrgA', 'SoftA'));
    expect((await store.certificates.list({ softwareId: 'SoftA' })).map((c) => c.serialNumber)).toEqual([
      '01',
    ]);

    const keys = [
      { kty: 'RSA', n: 'n', e: 'AQAB', kid: 'z-first', alg: 'RSA-OAEP-256', use: 'enc' },
      { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'a-second', alg: 'ECDH-ES', use: 'enc' },
    ];
    await store.encryptionKeys.insertAll('SoftA', keys);
    expect(await store.encryptionKeys.listFor('SoftA')).toEqual(keys);
  });

  it('refuses a second certificate with the same thumbprint, and one of unregistered software', async () => {
    t = await openTestStore(engine);
    const { store } = t;
    await store.organisations.insert(organisation('OrgA'));
    await store.softwareStatements.insert(softwareStatement('OrgA', 'SoftA'));
    await store.certificates.insert(certificateRecordFor('OrgA', 'SoftA', '01'));
    const sameKey = {
      ...certificateRecordFor('OrgA', 'SoftA', '02'),
      x5tS256: certificateRecordFor('OrgA', 'SoftA', '01').x5tS256,
    };
    const duplicate = await store.certificates.insert(sameKey).catch((err: unknown) => err);
    expect(isUniqueViolation(duplicate)).toBe(true);
    await expect(
      store.certificates.insert(certificateRecordFor('OrgA', 'NoSuchSoftware', '03')),
    ).rejects.toThrow(/foreign key/i);
  });

  it('rolls a transaction back whole when a step fails', async () => {
    t = await openTestStore(engine);
    const { store } = t;
    await expect(
      store.transaction(async () => {
        await store.organisations.insert(organisation('OrgA'));
        await store.softwareStatements.insert(softwareStatement('OrgA', 'SoftA'));
        await store.organisations.insert(organisation('OrgA'));
      }),
    ).rejects.toSatisfy(isUniqueViolation);
    expect(await store.organisations.get('OrgA')).toBeUndefined();
    expect(await store.softwareStatements.get('SoftA')).toBeUndefined();
  });

  it('raises the CRL number by one at each change (RFC 5280 §5.2.3)', async () => {
    t = await openTestStore(engine);
    expect(await t.store.settings.crlNumber()).toBe(1);
    expect(await t.store.settings.bumpCrlNumber()).toBe(2);
    expect(await t.store.settings.bumpCrlNumber()).toBe(3);
    expect(await t.store.settings.crlNumber()).toBe(3);
  });

  it('answers a duplicate organisation id with a 409 in the OAuth shape, writing nothing', async () => {
    t = await openTestStore(engine);
    const registry = createRegistry(t.store);
    await registry.createOrganisation({ orgId: 'OrgA', orgName: 'First' });
    const refused = await registry.createOrganisation({ orgId: 'OrgA', orgName: 'Second' }).catch((e) => e);
    expect(refused).toBeInstanceOf(OAuthError);
    expect(refused).toMatchObject({ status: 409, error: 'invalid_request' });
    expect((await t.store.organisations.get('OrgA'))?.orgName).toBe('First');
  });
});
