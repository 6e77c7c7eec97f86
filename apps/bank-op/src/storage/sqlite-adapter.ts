// oidc-provider's storage on the embedded SQLite store: clients, grants, sessions, codes, tokens and
// PAR requests survive a restart of bank-op. One table keyed by (model, id) holding oidc-provider's
// payload as JSON, with the three secondary lookups its adapter interface needs (grantId, userCode,
// uid). The interface is oidc-provider's: https://github.com/panva/node-oidc-provider/blob/v9.x/example/my_adapter.js
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { AlreadyConsumed } from './already-consumed.js';
import {
  EXPIRED_ROW_GRACE_SECONDS,
  type ExpiringSets,
  type OidcStore,
  PURGE_EVERY_N_WRITES,
} from './oidc-store.js';

interface Row {
  payload: string;
}

export function openSqliteOidcStore(file: string, now: () => number = Date.now): OidcStore {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // As the bank's store (bank-domain store.ts): in WAL mode NORMAL keeps every commit atomic without an
  // fsync per commit, which under FULL blocked the event loop on each assertion jti written (replay
  // detection). Only a power loss can lose the last commits, never corrupt the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS oidc_model (
      model      TEXT NOT NULL,
      id         TEXT NOT NULL,
      payload    TEXT NOT NULL,
      grant_id   TEXT,
      user_code  TEXT,
      uid        TEXT,
      expires_at INTEGER,
      PRIMARY KEY (model, id)
    );
    CREATE INDEX IF NOT EXISTS oidc_model_expires_at ON oidc_model (expires_at);
    CREATE TABLE IF NOT EXISTS oidc_set (
      model      TEXT NOT NULL,
      key        TEXT NOT NULL,
      member     TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (model, key, member)
    );
  `);
  // The secondary lookups index only the rows that carry the value: most rows (replay-detection jtis,
  // codes, tokens) have no user code or uid, and each index a row enters is another write per upsert.
  // A lookup `column = value` implies `column IS NOT NULL`, so SQLite still answers it from the index.
  // (Stores made before these indexes were partial have the full ones under the old names: replaced.)
  db.exec(`
    DROP INDEX IF EXISTS oidc_model_grant_id;
    DROP INDEX IF EXISTS oidc_model_user_code;
    DROP INDEX IF EXISTS oidc_model_uid;
    CREATE INDEX IF NOT EXISTS oidc_model_grant_id_set ON oidc_model (grant_id) WHERE grant_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS oidc_model_user_code_set ON oidc_model (model, user_code) WHERE user_code IS NOT NULL;
    CREATE INDEX IF NOT EXISTS oidc_model_uid_set ON oidc_model (model, uid) WHERE uid IS NOT NULL;
  `);

  const epoch = () => Math.floor(now() / 1000);
  const visible = 'AND (expires_at IS NULL OR expires_at > @now)';

  const statements = {
    upsert: db.prepare(`
      INSERT INTO oidc_model (model, id, payload, grant_id, user_code, uid, expires_at)
      VALUES (@model, @id, @payload, @grantId, @userCode, @uid, @expiresAt)
      ON CONFLICT (model, id) DO UPDATE SET
        payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
        uid = excluded.uid, expires_at = excluded.expires_at`),
    find: db.prepare<{ model: string; id: string; now: number }, Row>(
      `SELECT payload FROM oidc_model WHERE model = @model AND id = @id ${visible}`,
    ),
    findByUid: db.prepare<{ model: string; uid: string; now: number }, Row>(
      `SELECT payload FROM oidc_model WHERE model = @model AND uid = @uid ${visible}`,
    ),
    findByUserCode: db.prepare<{ model: string; userCode: string; now: number }, Row>(
      `SELECT payload FROM oidc_model WHERE model = @model AND user_code = @userCode ${visible}`,
    ),
    // oidc-provider marks a code, refresh token or PAR request used by setting `consumed` (epoch seconds):
    // only an unmarked row, so of two processes marking one row under SQLite's write lock one changes it.
    consume: db.prepare(`
      UPDATE oidc_model SET payload = json_set(payload, '$.consumed', @at)
      WHERE model = @model AND id = @id AND json_extract(payload, '$.consumed') IS NULL`),
    exists: db.prepare<{ model: string; id: string }, { found: 1 }>(
      'SELECT 1 AS found FROM oidc_model WHERE model = @model AND id = @id',
    ),
    destroy: db.prepare('DELETE FROM oidc_model WHERE model = @model AND id = @id'),
    revokeByGrantId: db.prepare('DELETE FROM oidc_model WHERE grant_id = @grantId'),
    endSessions: db.prepare("DELETE FROM oidc_model WHERE model = 'Session'"),
    purge: db.prepare('DELETE FROM oidc_model WHERE expires_at IS NOT NULL AND expires_at <= @before'),
    // One statement: an insert, or a later expiry for a member already there.
    addToSet: db.prepare(`
      INSERT INTO oidc_set (model, key, member, expires_at) VALUES (@model, @key, @member, @expiresAt)
      ON CONFLICT (model, key, member) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`),
    setMembers: db.prepare<{ model: string; key: string; now: number }, { member: string }>(
      'SELECT member FROM oidc_set WHERE model = @model AND key = @key AND expires_at > @now ORDER BY expires_at DESC',
    ),
    purgeSets: db.prepare('DELETE FROM oidc_set WHERE expires_at <= @before'),
  };

  let writes = 0;
  const purgeExpired = () => {
    const before = epoch() - EXPIRED_ROW_GRACE_SECONDS;
    return statements.purge.run({ before }).changes + statements.purgeSets.run({ before }).changes;
  };

  const parse = (row: Row | undefined): AdapterPayload | undefined =>
    row ? (JSON.parse(row.payload) as AdapterPayload) : undefined;

  function adapterFor(model: string): Adapter {
    // Expired rows are kept for the grace period and still returned: oidc-provider checks `exp` itself.
    const graceNow = () => epoch() - EXPIRED_ROW_GRACE_SECONDS;
    return {
      async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
        statements.upsert.run({
          model,
          id,
          payload: JSON.stringify(payload),
          grantId: payload.grantId ?? null,
          userCode: payload.userCode ?? null,
          uid: payload.uid ?? null,
          expiresAt: typeof expiresIn === 'number' ? epoch() + expiresIn : null,
        });
        writes += 1;
        if (writes % PURGE_EVERY_N_WRITES === 0) purgeExpired();
      },
      async find(id: string) {
        return parse(statements.find.get({ model, id, now: graceNow() }));
      },
      async findByUid(uid: string) {
        return parse(statements.findByUid.get({ model, uid, now: graceNow() }));
      },
      async findByUserCode(userCode: string) {
        return parse(statements.findByUserCode.get({ model, userCode, now: graceNow() }));
      },
      async consume(id: string) {
        const { changes } = statements.consume.run({ model, id, at: epoch() });
        if (changes === 0 && statements.exists.get({ model, id })) throw new AlreadyConsumed(model, id);
      },
      async destroy(id: string) {
        statements.destroy.run({ model, id });
      },
      async revokeByGrantId(grantId: string) {
        statements.revokeByGrantId.run({ grantId });
      },
    };
  }

  function setsFor(model: string): ExpiringSets {
    return {
      async add(key, member, expiresAt) {
        statements.addToSet.run({ model, key, member, expiresAt });
      },
      async members(key) {
        return statements.setMembers.all({ model, key, now: epoch() }).map((row) => row.member);
      },
    };
  }

  return {
    adapterFor,
    setsFor,
    purgeExpired: async () => purgeExpired(),
    endSessions: async () => statements.endSessions.run().changes,
    close: async () => {
      db.close();
    },
  };
}
