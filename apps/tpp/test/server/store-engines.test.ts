// The TPP's store on SQLite and on PostgreSQL (FAPI_TPP_DATABASE_URL): what two TPP processes sharing
// one database see of each other, state that moves once however many processes race to move it, writes
// that land whole or not at all, and a data folder from before migrations adopted with its rows.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type Connection,
  type ConnectionStore,
  createConnectionStore,
  type Payment,
  type StoredToken,
} from '../../src/store/connections.js';
import { type Db, openDatabase, type TppDatabaseLocation, tppSqliteFile } from '../../src/store/database.js';
import { tppMigrationNames } from '../../src/store/migrations.js';
import { createSessionStore } from '../../src/store/sessions.js';
import { ENGINES, freshTppLocation, stopOwnPostgres } from './store-engines.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const opened: Db[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.destroy()));
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
afterAll(stopOwnPostgres);

/** A TPP process's view of the store: its own connection pool on the shared database. */
async function open(location: TppDatabaseLocation): Promise<Db> {
  const { db } = await openDatabase(location);
  opened.push(db);
  return db;
}

async function freshLocation(engine: (typeof ENGINES)[number]): Promise<TppDatabaseLocation> {
  const location = await freshTppLocation(engine);
  folders.push(location.dataDir);
  return location;
}

const at = '2026-01-10T09:00:00.000Z';
const authorising = (id: string): Connection => ({
  id,
  sessionId: 's1',
  profile: 'fapi2-dpop',
  clientAuth: 'private_key_jwt',
  interactionId: `i-${id}`,
  status: 'authorising',
  createdAt: at,
  updatedAt: at,
});
const token = (connectionId: string, accessToken: string): StoredToken => ({
  connectionId,
  grant: 'accounts',
  accessToken,
  tokenType: 'DPoP',
  // Epoch seconds past 2038: the columns are bigint on PostgreSQL.
  expiresAt: 4_102_444_800,
  issuedAt: 4_102_444_200,
});

const payment = (id: string, connectionId: string): Payment => ({
  id,
  connectionId,
  status: 'authorising',
  request: { payeeName: 'A', sortCode: '200000', accountNumber: '12345678', amount: '1.00', reference: 'r' },
  idempotencyKey: `key-${id}`,
  createdAt: at,
  updatedAt: at,
});

describe.each(ENGINES)('the TPP store on %s', (engine) => {
  it('knows a browser session begun at another TPP process sharing the database', async () => {
    const location = await freshLocation(engine);
    const [one, two] = [createSessionStore(await open(location)), createSessionStore(await open(location))];
    const session = await one.create();
    expect(await two.get(session.id)).toEqual(session);
    expect(await two.get('no-such-session')).toBeUndefined();
  });

  it('lets one of two TPP processes redeem a callback that reaches both at once; the other is refused', async () => {
    const location = await freshLocation(engine);
    const [one, two] = [
      createConnectionStore(await open(location)),
      createConnectionStore(await open(location)),
    ];
    await one.create(authorising('c1'));
    for (let round = 0; round < 10; round++) {
      const state = `state-${round}`;
      await one.saveAuthorization({
        state,
        connectionId: 'c1',
        sessionId: 's1',
        purpose: 'accounts',
        nonce: 'n',
        codeVerifier: 'v',
        createdAt: Date.now(),
      });
      const claims = await Promise.all([one.completeAuthorization(state), two.completeAuthorization(state)]);
      expect(claims.sort()).toEqual([false, true]);
      expect((await two.authorization(state))?.completedAt).toBeTypeOf('number');
    }
  });

  it('moves a connection to active once when two processes race, with the winner’s token only', async () => {
    const location = await freshLocation(engine);
    // On PostgreSQL each racer is a process of its own (its own pool). An embedded SQLite file serialises
    // its writers, and two in one Node process would wait for each other on one thread: the racers share
    // one store there, as the requests of one TPP process do.
    const first = createConnectionStore(await open(location));
    const second = engine === 'postgres' ? createConnectionStore(await open(location)) : first;
    for (let round = 0; round < 10; round++) {
      const id = `c-${round}`;
      await first.create(authorising(id));
      const moves = await Promise.all(
        [first, second].map((store: ConnectionStore, i) =>
          store.transition(id, {
            from: ['authorising'],
            to: 'active',
            saveToken: token(id, `token-of-${i}`),
          }),
        ),
      );
      const winners = moves.filter((moved) => moved !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]?.status).toBe('active');
      const winner = moves.findIndex((moved) => moved !== undefined);
      expect((await second.tokens(id)).map((t) => t.accessToken)).toEqual([`token-of-${winner}`]);
      expect((await second.token(id, 'accounts'))?.expiresAt).toBe(4_102_444_800);
    }
  });

  it('writes a move and its token whole or not at all: a token it cannot store leaves the connection as it was', async () => {
    const location = await freshLocation(engine);
    const store = createConnectionStore(await open(location));
    await store.create(authorising('c1'));
    const unstorable = { ...token('c1', 'x'), accessToken: null as unknown as string };
    await expect(
      store.transition('c1', { from: ['authorising'], to: 'active', saveToken: unstorable }),
    ).rejects.toThrow();
    expect((await store.get('c1'))?.status).toBe('authorising');
    expect(await store.tokens('c1')).toEqual([]);
  });

  it('drops every token with a disconnect, and refuses a second disconnect of the same connection', async () => {
    const location = await freshLocation(engine);
    const store = createConnectionStore(await open(location));
    await store.create(authorising('c1'));
    await store.transition('c1', { from: ['authorising'], to: 'active', saveToken: token('c1', 'a') });
    await store.saveToken({ ...token('c1', 'cc'), grant: 'client_credentials:accounts' });
    const disconnect = { from: ['active' as const], to: 'disconnected' as const, dropTokens: true };
    expect((await store.transition('c1', disconnect))?.status).toBe('disconnected');
    expect(await store.tokens('c1')).toEqual([]);
    expect(await store.transition('c1', disconnect)).toBeUndefined();
  });

  it('submits a payment once: a failure arriving after (a replayed callback) leaves it submitted', async () => {
    const location = await freshLocation(engine);
    const store = createConnectionStore(await open(location));
    await store.create(authorising('c1'));
    await store.createPayment(payment('p1', 'c1'));
    const submitted = await store.movePayment('p1', {
      from: ['authorising'],
      to: 'submitted',
      domesticPaymentId: 'dp-1',
      bankStatus: 'AcceptedSettlementCompleted',
    });
    expect(submitted).toMatchObject({ status: 'submitted', domesticPaymentId: 'dp-1' });
    const replayed = { error: 'invalid_state', error_description: 'already used' };
    expect(
      await store.movePayment('p1', { from: ['authorising'], to: 'failed', error: replayed }),
    ).toBeUndefined();
    expect(await store.payment('p1')).toMatchObject({ status: 'submitted', error: undefined });
  });

  it('forgets a removed connection with everything it holds', async () => {
    const location = await freshLocation(engine);
    const db = await open(location);
    const store = createConnectionStore(db);
    await store.create(authorising('c1'));
    await store.saveToken(token('c1', 'a'));
    await store.saveAuthorization({
      state: 's',
      connectionId: 'c1',
      sessionId: 's1',
      purpose: 'payment',
      paymentId: 'p1',
      nonce: 'n',
      codeVerifier: 'v',
      consentId: 'consent-1',
      createdAt: Date.now(),
    });
    await store.createPayment(payment('p1', 'c1'));
    await store.remove('c1');
    expect(await store.get('c1')).toBeUndefined();
    for (const table of ['tokens', 'authorizations', 'payments'] as const) {
      const { n } = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(n), table).toBe(0);
    }
  });

  it('refuses a database migrated by newer code, naming the migration it does not know', async () => {
    const location = await freshLocation(engine);
    const db = await open(location);
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-the-future', '2099-01-01')`.execute(
      db,
    );
    await expect(openDatabase(location)).rejects.toThrow(/could not be migrated.*9999-from-the-future/s);
  });
});

describe('a data folder made before the TPP migrated its schema', () => {
  it('is adopted with its rows: its learners keep their sessions, connections and tokens', async () => {
    const location = await freshLocation('sqlite');
    const file = tppSqliteFile(location.dataDir);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const old = new Database(file);
    old.exec(fs.readFileSync(path.join(here, 'fixtures/tpp-sqlite-before-migrations.sql'), 'utf8'));
    old.prepare('INSERT INTO sessions VALUES (?, ?)').run('old-session', at);
    old
      .prepare(
        `INSERT INTO connections (id, session_id, profile, client_auth, interaction_id, status, created_at, updated_at)
         VALUES ('old-c', 'old-session', 'fapi2-dpop', 'private_key_jwt', 'i', 'active', ?, ?)`,
      )
      .run(at, at);
    old
      .prepare(
        `INSERT INTO tokens (connection_id, grant_name, access_token, token_type, expires_at, issued_at)
         VALUES ('old-c', 'accounts', 'old-token', 'DPoP', 1800000000, 1799999400)`,
      )
      .run();
    old.close();

    const db = await open(location);
    expect(await createSessionStore(db).get('old-session')).toEqual({ id: 'old-session', createdAt: at });
    const store = createConnectionStore(db);
    expect(await store.listForSession('old-session')).toMatchObject([{ id: 'old-c', status: 'active' }]);
    expect(await store.token('old-c', 'accounts')).toMatchObject({
      accessToken: 'old-token',
      expiresAt: 1800000000,
    });
    const applied = await db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute();
    expect(applied.map((row) => (row as { name: string }).name)).toEqual(tppMigrationNames('sqlite'));
  });
});
