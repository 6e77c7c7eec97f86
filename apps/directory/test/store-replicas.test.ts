// Two directory replicas on one PostgreSQL database (FAPI_DIRECTORY_DATABASE_URL): each is a store of its
// own, as each process has, racing for the same write. One wins; the other gets the directory's 409 in the
// OAuth shape; nothing of the loser's transaction is left behind. SQLite needs no such test: one file, and
// every transaction takes its write lock at BEGIN IMMEDIATE.
import { loadConfig } from '@fapi-sandbox/fapi-core/config';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { createLogger } from '@fapi-sandbox/fapi-core/log';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCertificateAuthority } from '../src/domain/certificate-authority.js';
import { createCertificateService } from '../src/domain/certificates.js';
import { createRegistry } from '../src/domain/registry.js';
import { seedDirectory } from '../src/domain/seed.js';
import { type DirectoryStore, openDirectoryStore } from '../src/store/index.js';
import { generateCsr } from './helpers.js';
import { ENGINES, openTestStore, organisation, softwareStatement, type TestStore } from './store-helpers.js';

let first: TestStore | undefined;
let second: DirectoryStore | undefined;
afterEach(async () => {
  await second?.close();
  await first?.cleanup();
  first = undefined;
  second = undefined;
});

async function twoReplicas() {
  first = await openTestStore('postgres');
  second = await openDirectoryStore(first.location);
  return [first.store, second] as const;
}

/** Holds `store`'s transaction open after `work` until `release` resolves: the other replica runs meanwhile. */
function heldOpen<T>(store: DirectoryStore, work: () => Promise<T>, release: Promise<void>): Promise<T> {
  return store.transaction(async () => {
    const result = await work();
    await release;
    return result;
  });
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.runIf(ENGINES.includes('postgres'))('two replicas on one PostgreSQL database', () => {
  it('sign up the same organisation id at once: one wins, the other gets a 409 and leaves no token', async () => {
    const [a, b] = await twoReplicas();
    const signUp = (store: DirectoryStore, tokenHash: string) =>
      store.transaction(async () => {
        await createRegistry(store).createOrganisation({ orgId: 'RaceLtd', orgName: `Race ${tokenHash[0]}` });
        await store.developerTokens.insert({ tokenHash, orgId: 'RaceLtd', createdAt: 't0' });
      });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Replica a has inserted and not committed when replica b reads (nothing yet) and inserts (and waits).
    const winner = heldOpen(a, () => signUp(a, 'a'.repeat(64)), released);
    await pause(100);
    const loser = signUp(b, 'b'.repeat(64)).catch((err: unknown) => err);
    await pause(300);
    release();
    await winner;
    const refused = await loser;

    expect(refused).toBeInstanceOf(OAuthError);
    expect(refused).toMatchObject({ status: 409, error: 'invalid_request' });
    expect((refused as OAuthError).description).toMatch(/already exists/);
    expect((await b.organisations.get('RaceLtd'))?.orgName).toBe('Race a');
    expect(await b.developerTokens.orgIdOf('b'.repeat(64))).toBeUndefined();
    expect(await b.developerTokens.count()).toBe(1);
  });

  it("count the portal's software cap one after the other: the second is refused, the cap holds", async () => {
    const [a, b] = await twoReplicas();
    await a.organisations.insert(organisation('CapLtd'));
    await a.softwareStatements.insert(softwareStatement('CapLtd', 'Existing'));
    const limit = { maxPerOrganisation: 2 };
    const create = (store: DirectoryStore, softwareId: string) =>
      createRegistry(store).createSoftwareStatement(
        'CapLtd',
        { softwareId, clientName: softwareId, roles: ['AISP'], redirectUris: ['https://tpp.example/cb'] },
        limit,
      );
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Without the organisation held, replica b would count one statement too, and both would write.
    const winner = heldOpen(a, () => create(a, 'FromA'), released);
    await pause(100);
    const loser = create(b, 'FromB').catch((err: unknown) => err);
    await pause(300);
    release();
    await winner;
    const refused = await loser;

    expect(refused).toBeInstanceOf(OAuthError);
    expect(refused).toMatchObject({ status: 409 });
    expect((refused as OAuthError).description).toMatch(/already has 2 software statements/);
    expect((await b.softwareStatements.listFor('CapLtd')).map((s) => s.softwareId).sort()).toEqual([
      'Existing',
      'FromA',
    ]);
  });

  it('issue no certificate to software another replica suspends meanwhile: the issuer waits, then refuses', async () => {
    const [a, b] = await twoReplicas();
    await a.organisations.insert(organisation('CertLtd'));
    await a.softwareStatements.insert(softwareStatement('CertLtd', 'CertApp'));
    const config = loadConfig();
    const ca = await loadCertificateAuthority({
      certificate: config.ca.directory,
      key: config.ca.directoryKey,
    });
    const registryB = createRegistry(b);
    const issuer = createCertificateService({ store: b, registry: registryB, ca });
    const csr = (await generateCsr()).csr;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Replica a has suspended the software and not committed when replica b checks it (still active),
    // signs, and comes to record the certificate: it must wait for a, and see the suspension.
    const suspension = heldOpen(
      a,
      () => createRegistry(a).setSoftwareStatus('CertLtd', 'CertApp', 'suspended'),
      released,
    );
    await pause(100);
    const issuance = issuer
      .issue('CertLtd', 'CertApp', { type: 'transport', csr })
      .catch((err: unknown) => err);
    await pause(1000);
    release();
    await suspension;
    const refused = await issuance;

    expect(refused).toBeInstanceOf(OAuthError);
    expect(refused).toMatchObject({ status: 409 });
    expect((refused as OAuthError).description).toMatch(
      /became suspended while the certificate was being issued/,
    );
    expect(await b.certificates.list({ softwareId: 'CertApp' })).toEqual([]);
  });

  it('seed a fresh database once when they start together', async () => {
    const [a, b] = await twoReplicas();
    const config = loadConfig();
    const ca = await loadCertificateAuthority({
      certificate: config.ca.directory,
      key: config.ca.directoryKey,
    });
    const log = createLogger('directory');
    // Without the seed's lock, both would find no organisation and both insert: the second start would fail.
    await Promise.all([
      seedDirectory({ config, store: a, ca, log }),
      seedDirectory({ config, store: b, ca, log }),
    ]);
    expect((await a.organisations.list()).map((org) => org.orgId).sort()).toEqual(
      [config.bank.orgId, config.participants.demo.orgId, config.participants.second.orgId].sort(),
    );
  });
});
