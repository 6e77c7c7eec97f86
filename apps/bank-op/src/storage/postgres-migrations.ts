// bank-op's own tables in the bank's PostgreSQL database (DATABASE_URL), as versioned migrations (Kysely's
// Migrator) applied when bank-op opens its store: a change is a new migration appended here, never an edit.
// They are bank-op's alone (bank-api never reads oidc-provider's models), so they are recorded in a
// migration table of bank-op's own, not in the bank domain's list (bank-domain migrations.ts): each party's
// schema moves with its code. Kysely takes PostgreSQL's advisory lock while it migrates, so replicas opening
// a fresh database together create the tables once.

import { migrateToLatest } from '@fapi-sandbox/fapi-core/sql-database';
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// A migration is written against the schema of its time, not against today's types.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Db = Kysely<any>;

const MIGRATIONS: Record<string, Migration> = {
  // The same two tables as the SQLite store (sqlite-adapter.ts), the payload as jsonb.
  '0001-oidc-models': {
    async up(db: Db) {
      await db.schema
        .createTable('oidc_model')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .addColumn('grant_id', 'text')
        .addColumn('user_code', 'text')
        .addColumn('uid', 'text')
        .addColumn('expires_at', 'bigint')
        .addPrimaryKeyConstraint('oidc_model_pk', ['model', 'id'])
        .execute();
      await db.schema.createIndex('oidc_model_expires_at').on('oidc_model').column('expires_at').execute();
      // Partial: most rows (replay-detection jtis, codes, tokens) carry no user code or uid.
      for (const [name, columns] of [
        ['oidc_model_grant_id_set', ['grant_id']],
        ['oidc_model_user_code_set', ['model', 'user_code']],
        ['oidc_model_uid_set', ['model', 'uid']],
      ] as const) {
        const last = columns[columns.length - 1]!;
        await db.schema
          .createIndex(name)
          .on('oidc_model')
          .columns([...columns])
          .where(sql.ref(last), 'is not', null)
          .execute();
      }
      await db.schema
        .createTable('oidc_set')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('member', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('oidc_set_pk', ['model', 'key', 'member'])
        .execute();
      await db.schema.createIndex('oidc_set_expires_at').on('oidc_set').column('expires_at').execute();
    },
  },
};

/** Applies the migrations this database has not had yet; refuses one migrated by newer code. */
export async function migrateOidcTables(db: Db): Promise<void> {
  await migrateToLatest(db, MIGRATIONS, "bank-op's tables in DATABASE_URL", {
    migrationTableName: 'bank_op_migration',
    migrationLockTableName: 'bank_op_migration_lock',
  });
}
