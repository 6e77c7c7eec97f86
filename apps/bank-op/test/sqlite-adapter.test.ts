// bank-op's oidc-provider storage (storage/sqlite-adapter.ts): every lookup oidc-provider's adapter interface
// needs answers from an index, the secondary ones indexing only the rows that carry the value; a store
// made with the earlier full indexes is moved to the partial ones with its rows intact; a one-time entry is
// marked used by one process only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlreadyConsumed } from '../src/storage/already-consumed.js';
import { openSqliteOidcStore } from '../src/storage/sqlite-adapter.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-op-oidc-store-'));
  file = path.join(dir, 'oidc.sqlite');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The indexes of the store's table, and how SQLite would answer each secondary lookup. */
function inspect() {
  const db = new Database(file, { readonly: true });
  try {
    const indexes = db
      .prepare<[], { name: string; sql: string | null }>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'oidc_model'",
      )
      .all();
    const plan = (sql: string, ...params: unknown[]) =>
      db
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((row) => row.detail)
        .join('; ');
    return {
      indexes,
      byUid: plan('SELECT payload FROM oidc_model WHERE model = ? AND uid = ?', 'Session', 'u'),
      byUserCode: plan('SELECT payload FROM oidc_model WHERE model = ? AND user_code = ?', 'DeviceCode', 'c'),
      byGrant: plan('DELETE FROM oidc_model WHERE grant_id = ?', 'g'),
    };
  } finally {
    db.close();
  }
}

async function fillAndRead(store: ReturnType<typeof openSqliteOidcStore>) {
  const sessions = store.adapterFor('Session');
  const codes = store.adapterFor('AuthorizationCode');
  const jtis = store.adapterFor('ReplayDetection');
  await sessions.upsert('s1', { uid: 'uid-1', accountId: 'alice' }, 600);
  await codes.upsert('c1', { grantId: 'grant-1', kind: 'AuthorizationCode' }, 60);
  await codes.upsert('c2', { grantId: 'grant-2', kind: 'AuthorizationCode' }, 60);
  await jtis.upsert('jti-1', { iat: 1 }, 60);
  return { sessions, codes, jtis };
}

describe("bank-op's oidc store", () => {
  it('answers every lookup of the adapter interface', async () => {
    const store = openSqliteOidcStore(file);
    try {
      const { sessions, codes, jtis } = await fillAndRead(store);
      expect(await sessions.findByUid!('uid-1')).toMatchObject({ accountId: 'alice' });
      expect(await sessions.findByUid!('uid-2')).toBeUndefined();
      expect(await jtis.find('jti-1')).toEqual({ iat: 1 });
      await codes.revokeByGrantId!('grant-1');
      expect(await codes.find('c1')).toBeUndefined();
      expect(await codes.find('c2')).toMatchObject({ grantId: 'grant-2' });
      // A row without a uid is not found by a lookup for none.
      expect(await jtis.findByUid!('')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('indexes uid, user code and grant id only where set, and answers those lookups from them', async () => {
    await openSqliteOidcStore(file).close();
    const { indexes, byUid, byUserCode, byGrant } = inspect();
    const partial = indexes.filter((index) => /WHERE \w+ IS NOT NULL/.test(index.sql ?? ''));
    expect(partial.map((index) => index.name).sort()).toEqual([
      'oidc_model_grant_id_set',
      'oidc_model_uid_set',
      'oidc_model_user_code_set',
    ]);
    expect(byUid).toMatch(/USING INDEX oidc_model_uid_set/);
    expect(byUserCode).toMatch(/USING INDEX oidc_model_user_code_set/);
    expect(byGrant).toMatch(/USING INDEX oidc_model_grant_id_set/);
  });

  it('lets one of two processes that both read a code unconsumed mark it; the other hears it was taken', async () => {
    // Two connections to one file, as two bank-op processes sharing a data folder have.
    const [one, other] = [openSqliteOidcStore(file), openSqliteOidcStore(file)];
    try {
      await one.adapterFor('AuthorizationCode').upsert('c1', { grantId: 'grant-1' }, 60);
      for (const store of [one, other])
        expect((await store.adapterFor('AuthorizationCode').find('c1'))?.consumed).toBeUndefined();
      await one.adapterFor('AuthorizationCode').consume('c1');
      await expect(other.adapterFor('AuthorizationCode').consume('c1')).rejects.toThrow(AlreadyConsumed);
      expect((await other.adapterFor('AuthorizationCode').find('c1'))?.consumed).toEqual(expect.any(Number));
      // Consuming what was never stored marks nothing and refuses nothing.
      await other.adapterFor('AuthorizationCode').consume('never-issued');
      expect(await one.adapterFor('AuthorizationCode').find('never-issued')).toBeUndefined();
    } finally {
      await Promise.all([one.close(), other.close()]);
    }
  });

  it('moves a store made with the full indexes to the partial ones, its rows intact', async () => {
    const old = new Database(file);
    old.exec(`
      CREATE TABLE oidc_model (model TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, grant_id TEXT,
        user_code TEXT, uid TEXT, expires_at INTEGER, PRIMARY KEY (model, id));
      CREATE INDEX oidc_model_grant_id ON oidc_model (grant_id);
      CREATE INDEX oidc_model_user_code ON oidc_model (model, user_code);
      CREATE INDEX oidc_model_uid ON oidc_model (model, uid);
      CREATE INDEX oidc_model_expires_at ON oidc_model (expires_at);
      INSERT INTO oidc_model (model, id, payload, uid) VALUES ('Session', 's0', '{"accountId":"bob"}', 'uid-0');
    `);
    old.close();
    const store = openSqliteOidcStore(file);
    try {
      expect(await store.adapterFor('Session').findByUid!('uid-0')).toEqual({ accountId: 'bob' });
    } finally {
      await store.close();
    }
    const names = inspect().indexes.map((index) => index.name);
    expect(names).not.toContain('oidc_model_uid');
    expect(names).not.toContain('oidc_model_grant_id');
    expect(names).not.toContain('oidc_model_user_code');
    expect(names).toContain('oidc_model_uid_set');
  });
});
