// bank-op's two durable stores of oidc-provider's models, the embedded SQLite file and the bank's
// PostgreSQL database (DATABASE_URL), keep one contract, each checked here with two stores open on one
// file or one database, as two bank-op processes have them: what one writes the other finds (by id, uid,
// user code), expired entries are kept a grace period, a one-time entry is marked used by one of two racing,
// a grant's revocation and the end of the sessions reach every entry. On PostgreSQL, a client registered
// through one replica is found, updated and deleted (RFC 7591, RFC 7592) as the other sees it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlDatabase } from '@fapi-sandbox/fapi-core/sql-database';
import {
  freshPostgresDatabase,
  startTestPostgres,
  type TestPostgres,
} from '@fapi-sandbox/fapi-core/testing-postgres';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyConsumed } from '../src/storage/already-consumed.js';
import { EXPIRED_ROW_GRACE_SECONDS, type OidcStore } from '../src/storage/oidc-store.js';
import { openPostgresOidcStore } from '../src/storage/postgres-adapter.js';
import { openSqliteOidcStore } from '../src/storage/sqlite-adapter.js';

/** The hosted run's server (testing-services.ts) when there is one, else one of this file's own. */
let postgres: Pick<TestPostgres, 'url' | 'stop'>;
let dir: string;
beforeAll(async () => {
  const hosted = process.env.FAPI_TEST_POSTGRES_URL;
  postgres = hosted ? { url: hosted, stop: async () => {} } : await startTestPostgres();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-op-oidc-stores-'));
});
afterAll(async () => {
  // pg-pool's end() resolves before its sockets have closed: a server shut down at once would reach a
  // client still closing (57P01, thrown outside any test).
  await new Promise((resolve) => setTimeout(resolve, 200));
  await postgres?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const clock = { now: Date.now() };
const now = () => clock.now;
const epoch = () => Math.floor(clock.now / 1000);

/** Two stores on one fresh file or database, as two bank-op processes open them. */
type Opener = () => Promise<[OidcStore, OidcStore]>;
const engines: Record<string, Opener> = {
  SQLite: async () => {
    const file = path.join(fs.mkdtempSync(path.join(dir, 'sqlite-')), 'oidc.sqlite');
    return [openSqliteOidcStore(file, now), openSqliteOidcStore(file, now)];
  },
  PostgreSQL: async () => {
    const url = await freshPostgresDatabase(postgres.url);
    // Opened together: both find the tables missing, one creates them (the migrator's lock).
    return Promise.all([openPostgresOidcStore(url, now), openPostgresOidcStore(url, now)]);
  },
};

describe.each(Object.entries(engines))('the %s store', (_engine, open) => {
  let one: OidcStore;
  let other: OidcStore;
  beforeAll(async () => {
    [one, other] = await open();
  });
  afterAll(async () => {
    await Promise.all([one?.close(), other?.close()]);
  });
  afterEach(() => {
    clock.now = Date.now();
  });

  it('finds at one process what the other saved, by id, uid and user code', async () => {
    const session = { jti: 's1', uid: 'uid-1', accountId: 'alice', exp: epoch() + 600 };
    await one.adapterFor('Session').upsert('s1', session, 600);
    await one.adapterFor('BackchannelAuthenticationRequest').upsert('b1', { userCode: 'uc-1' }, 60);
    expect(await other.adapterFor('Session').find('s1')).toEqual(session);
    expect(await other.adapterFor('Session').findByUid!('uid-1')).toEqual(session);
    expect(await other.adapterFor('BackchannelAuthenticationRequest').findByUserCode!('uc-1')).toEqual({
      userCode: 'uc-1',
    });
    expect(await other.adapterFor('Session').find('unknown')).toBeUndefined();
    expect(await other.adapterFor('Interaction').find('s1')).toBeUndefined();
  });

  it('keeps an expired entry for the grace period, so oidc-provider says "expired", then forgets it', async () => {
    await one.adapterFor('AuthorizationCode').upsert('c-old', { jti: 'c-old' }, 60);
    clock.now += (60 + EXPIRED_ROW_GRACE_SECONDS - 10) * 1000;
    expect(await other.adapterFor('AuthorizationCode').find('c-old')).toEqual({ jti: 'c-old' });
    expect(await other.purgeExpired()).toBe(0);
    clock.now += 20 * 1000;
    expect(await other.adapterFor('AuthorizationCode').find('c-old')).toBeUndefined();
    expect(await other.purgeExpired()).toBeGreaterThanOrEqual(1);
  });

  it('lets exactly one of two processes consuming one code mark it; the other hears it was taken', async () => {
    await one.adapterFor('AuthorizationCode').upsert('c-race', { grantId: 'g-race' }, 60);
    const marks = await Promise.allSettled([
      one.adapterFor('AuthorizationCode').consume('c-race'),
      other.adapterFor('AuthorizationCode').consume('c-race'),
    ]);
    expect(marks.filter((mark) => mark.status === 'fulfilled')).toHaveLength(1);
    const [refused] = marks.filter((mark) => mark.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(AlreadyConsumed);
    const found = await one.adapterFor('AuthorizationCode').find('c-race');
    expect(found).toMatchObject({ grantId: 'g-race', consumed: expect.any(Number) });
    // Consuming what was never stored marks nothing and refuses nothing.
    await other.adapterFor('AuthorizationCode').consume('never-issued');
    expect(await one.adapterFor('AuthorizationCode').find('never-issued')).toBeUndefined();
  });

  it("revokes every entry of a grant, whichever model, and only that grant's", async () => {
    await one.adapterFor('AccessToken').upsert('at-1', { grantId: 'g-1' }, 60);
    await other.adapterFor('RefreshToken').upsert('rt-1', { grantId: 'g-1' }, 600);
    await one.adapterFor('AccessToken').upsert('at-2', { grantId: 'g-2' }, 60);
    await other.adapterFor('AccessToken').revokeByGrantId!('g-1');
    expect(await one.adapterFor('AccessToken').find('at-1')).toBeUndefined();
    expect(await one.adapterFor('RefreshToken').find('rt-1')).toBeUndefined();
    expect(await one.adapterFor('AccessToken').find('at-2')).toEqual({ grantId: 'g-2' });
  });

  it('destroys one entry for both processes', async () => {
    await one.adapterFor('Grant').upsert('g-3', { accountId: 'bob' }, 600);
    await other.adapterFor('Grant').destroy('g-3');
    expect(await one.adapterFor('Grant').find('g-3')).toBeUndefined();
  });

  it('ends every session, and nothing else', async () => {
    await one.adapterFor('Session').upsert('s-end', { uid: 'uid-end' }, 600);
    await one.adapterFor('Grant').upsert('g-kept', { accountId: 'alice' }, 600);
    expect(await other.endSessions()).toBeGreaterThanOrEqual(1);
    expect(await one.adapterFor('Session').find('s-end')).toBeUndefined();
    expect(await one.adapterFor('Session').findByUid!('uid-end')).toBeUndefined();
    expect(await one.adapterFor('Grant').find('g-kept')).toEqual({ accountId: 'alice' });
  });

  it("keeps a set's members until each expires, the latest first, the later expiry holding", async () => {
    const inbox = one.setsFor('BankAppInbox');
    await inbox.add('alice', 'req-1', epoch() + 60);
    await other.setsFor('BankAppInbox').add('alice', 'req-2', epoch() + 120);
    await inbox.add('alice', 'req-1', epoch() + 180);
    await inbox.add('alice', 'req-1', epoch() + 30);
    expect(await other.setsFor('BankAppInbox').members('alice')).toEqual(['req-1', 'req-2']);
    clock.now += 150 * 1000;
    expect(await other.setsFor('BankAppInbox').members('alice')).toEqual(['req-1']);
    expect(await other.setsFor('CibaPoll').members('alice')).toEqual([]);
  });
});

describe('registrations on PostgreSQL, two bank-op replicas on one database', () => {
  it('finds at one replica a client registered through the other, and sees its update and deletion (RFC 7592)', async () => {
    const url = await freshPostgresDatabase(postgres.url);
    const [a, b] = await Promise.all([openPostgresOidcStore(url), openPostgresOidcStore(url)]);
    try {
      const registered = { client_id: 'tpp-1', redirect_uris: ['https://tpp.example/cb'] };
      await a.adapterFor('Client').upsert('tpp-1', registered as never, undefined as never);
      await a
        .adapterFor('RegistrationAccessToken')
        .upsert('rat-1', { clientId: 'tpp-1' }, undefined as never);
      expect(await b.adapterFor('Client').find('tpp-1')).toEqual(registered);
      expect(await b.adapterFor('RegistrationAccessToken').find('rat-1')).toEqual({ clientId: 'tpp-1' });

      // RFC 7592 §2.2: the client's configuration replaced at B is what A reads next.
      const updated = { ...registered, redirect_uris: ['https://tpp.example/callback'] };
      await b.adapterFor('Client').upsert('tpp-1', updated as never, undefined as never);
      expect(await a.adapterFor('Client').find('tpp-1')).toEqual(updated);

      // RFC 7592 §2.3: deleted at A, the client and its registration access token are gone at B.
      await a.adapterFor('Client').destroy('tpp-1');
      await a.adapterFor('RegistrationAccessToken').destroy('rat-1');
      expect(await b.adapterFor('Client').find('tpp-1')).toBeUndefined();
      expect(await b.adapterFor('RegistrationAccessToken').find('rat-1')).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("keeps bank-op's tables apart from the bank's: a migration table of its own", async () => {
    const url = await freshPostgresDatabase(postgres.url);
    await (await openPostgresOidcStore(url)).close();
    await (await openPostgresOidcStore(url)).close();
    const { db } = openSqlDatabase({ file: '', url });
    try {
      const applied = await sql<{ name: string }>`SELECT name FROM bank_op_migration`.execute(db);
      expect(applied.rows.map((row) => row.name)).toEqual(['0001-oidc-models']);
      const tables = await sql<{ table_name: string }>`
        SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`.execute(
        db,
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual([
        'bank_op_migration',
        'bank_op_migration_lock',
        'oidc_model',
        'oidc_set',
      ]);
    } finally {
      await db.destroy();
    }
  });
});
