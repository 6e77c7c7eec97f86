// oidc-provider's models in the bank's PostgreSQL database (DATABASE_URL), so that every bank-op replica,
// on any host, finds the clients another registered (RFC 7591) and sees another's update or deletion of
// one (RFC 7592). The same rows and the same semantics as the SQLite store (sqlite-adapter.ts): one row
// per (model, id) with oidc-provider's payload, the grantId, userCode and uid lookups, rows kept a while
// past their expiry, and a one-time entry marked used in one conditional UPDATE. With REDIS_URL too, the
// short-lived models go to Redis (redis-adapter.ts) and this store keeps the registrations.
import { openSqlDatabase } from '@fapi-sandbox/fapi-core/sql-database';
import { sql } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { AlreadyConsumed } from './already-consumed.js';
import {
  EXPIRED_ROW_GRACE_SECONDS,
  type ExpiringSets,
  type OidcStore,
  PURGE_EVERY_N_WRITES,
} from './oidc-store.js';
import { migrateOidcTables } from './postgres-migrations.js';

interface OidcTables {
  oidc_model: {
    model: string;
    id: string;
    /** jsonb: written as JSON text, read back as the object. */
    payload: AdapterPayload | string;
    grant_id: string | null;
    user_code: string | null;
    uid: string | null;
    expires_at: number | null;
  };
  oidc_set: { model: string; key: string; member: string; expires_at: number };
}

export async function openPostgresOidcStore(url: string, now: () => number = Date.now): Promise<OidcStore> {
  // Connected as the bank's own tables are (fapi-core sql-database.ts); `file` is unused with a URL.
  const { db } = openSqlDatabase<OidcTables>({ file: '', url });
  try {
    await migrateOidcTables(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const epoch = () => Math.floor(now() / 1000);

  const purgeExpired = async () => {
    const before = epoch() - EXPIRED_ROW_GRACE_SECONDS;
    const [rows, members] = await Promise.all([
      db.deleteFrom('oidc_model').where('expires_at', '<=', before).executeTakeFirst(),
      db.deleteFrom('oidc_set').where('expires_at', '<=', before).executeTakeFirst(),
    ]);
    return Number(rows.numDeletedRows) + Number(members.numDeletedRows);
  };
  let writes = 0;

  function adapterFor(model: string): Adapter {
    // Expired rows are kept for the grace period and still returned: oidc-provider checks `exp` itself.
    const visible = (where: 'id' | 'uid' | 'user_code', value: string) =>
      db
        .selectFrom('oidc_model')
        .select('payload')
        .where('model', '=', model)
        .where(where, '=', value)
        .where((row) =>
          row.or([
            row('expires_at', 'is', null),
            row('expires_at', '>', epoch() - EXPIRED_ROW_GRACE_SECONDS),
          ]),
        )
        .executeTakeFirst()
        .then((row) => row?.payload as AdapterPayload | undefined);

    return {
      async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
        const row = {
          payload: JSON.stringify(payload),
          grant_id: payload.grantId ?? null,
          user_code: payload.userCode ?? null,
          uid: payload.uid ?? null,
          expires_at: typeof expiresIn === 'number' ? epoch() + expiresIn : null,
        };
        await db
          .insertInto('oidc_model')
          .values({ model, id, ...row })
          .onConflict((conflict) => conflict.columns(['model', 'id']).doUpdateSet(row))
          .execute();
        writes += 1;
        if (writes % PURGE_EVERY_N_WRITES === 0) await purgeExpired();
      },
      find: (id: string) => visible('id', id),
      findByUid: (uid: string) => visible('uid', uid),
      findByUserCode: (userCode: string) => visible('user_code', userCode),
      // Only an unmarked row: of two replicas marking one row at once, PostgreSQL lets the second UPDATE
      // re-read the row the first committed, which no longer matches, so exactly one changes it.
      async consume(id: string) {
        const marked = await db
          .updateTable('oidc_model')
          .set({ payload: sql`payload || jsonb_build_object('consumed', ${epoch()}::bigint)` })
          .where('model', '=', model)
          .where('id', '=', id)
          .where(sql<boolean>`payload->>'consumed' IS NULL`)
          .executeTakeFirst();
        if (Number(marked.numUpdatedRows) > 0) return;
        const exists = await db
          .selectFrom('oidc_model')
          .select('id')
          .where('model', '=', model)
          .where('id', '=', id)
          .executeTakeFirst();
        if (exists) throw new AlreadyConsumed(model, id);
      },
      async destroy(id: string) {
        await db.deleteFrom('oidc_model').where('model', '=', model).where('id', '=', id).execute();
      },
      async revokeByGrantId(grantId: string) {
        await db.deleteFrom('oidc_model').where('grant_id', '=', grantId).execute();
      },
    };
  }

  function setsFor(model: string): ExpiringSets {
    return {
      // One statement: an insert, or a later expiry for a member already there.
      async add(key, member, expiresAt) {
        await db
          .insertInto('oidc_set')
          .values({ model, key, member, expires_at: expiresAt })
          .onConflict((conflict) =>
            conflict
              .columns(['model', 'key', 'member'])
              .doUpdateSet({ expires_at: sql`GREATEST(oidc_set.expires_at, excluded.expires_at)` }),
          )
          .execute();
      },
      async members(key) {
        const rows = await db
          .selectFrom('oidc_set')
          .select('member')
          .where('model', '=', model)
          .where('key', '=', key)
          .where('expires_at', '>', epoch())
          .orderBy('expires_at', 'desc')
          .execute();
        return rows.map((row) => row.member);
      },
    };
  }

  return {
    adapterFor,
    setsFor,
    purgeExpired,
    async endSessions() {
      const ended = await db.deleteFrom('oidc_model').where('model', '=', 'Session').executeTakeFirst();
      return Number(ended.numDeletedRows);
    },
    close: () => db.destroy(),
  };
}
