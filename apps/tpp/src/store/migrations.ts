// The TPP's schema as versioned migrations (Kysely's Migrator), applied when the TPP opens its store: a
// change of schema is a new migration appended here, never an edit of an old one, so an existing
// database keeps its data. The Migrator holds a lock while it runs (PostgreSQL's advisory lock, SQLite's
// write lock: fapi-core's sql-database.ts), so two TPP processes opening a fresh database migrate it once.

import { type Engine, migrateToLatest } from '@fapi-sandbox/fapi-core/sql-database';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// A migration sees the database as it was when it was written, not as TppTables says it is now.
// biome-ignore lint/suspicious/noExplicitAny: a migration is written against the schema of its time
type AnyDb = Kysely<any>;

/**
 * Columns a tpp.sqlite written before migrations may lack: the TPP then added each with ALTER TABLE at
 * start. Adopting such a file adds the ones still missing (NULL in old rows).
 */
const COLUMNS_ADDED_BEFORE_MIGRATIONS: { table: string; column: string }[] = [
  { table: 'registrations', column: 'metadata_version' },
  { table: 'registrations', column: 'id_token_encryption' },
  { table: 'registrations', column: 'jarm_encryption' },
  { table: 'registrations', column: 'ciba_mode' },
  { table: 'connections', column: 'shared_accounts_json' },
  { table: 'connections', column: 'request_object_encryption' },
  { table: 'connections', column: 'id_token_encryption' },
  { table: 'connections', column: 'jarm_encryption' },
  { table: 'connections', column: 'ciba_mode' },
  { table: 'connections', column: 'authorization_details_json' },
];

function migrations(engine: Engine): Record<string, Migration> {
  // Row counters: how each engine declares one.
  const counter = engine === 'postgres' ? 'bigserial' : 'integer';
  return {
    // IF NOT EXISTS throughout: a tpp.sqlite made before migrations is adopted with its rows.
    '0001-initial': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('sessions')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('registrations')
          .ifNotExists()
          .addColumn('registration_key', 'text', (c) => c.primaryKey())
          .addColumn('profile', 'text', (c) => c.notNull())
          .addColumn('client_auth', 'text', (c) => c.notNull())
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('registration_access_token', 'text')
          .addColumn('registration_client_uri', 'text')
          .addColumn('metadata_json', 'text', (c) => c.notNull())
          .addColumn('metadata_version', 'text')
          .addColumn('registered_at', 'text', (c) => c.notNull())
          .addColumn('id_token_encryption', 'text')
          .addColumn('jarm_encryption', 'text')
          .addColumn('ciba_mode', 'text')
          .execute();
        await db.schema
          .createTable('onboarding_runs')
          .ifNotExists()
          .addColumn('id', counter, (c) =>
            engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('interaction_id', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('result_json', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('connections')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('session_id', 'text', (c) => c.notNull())
          .addColumn('profile', 'text', (c) => c.notNull())
          .addColumn('client_auth', 'text', (c) => c.notNull())
          .addColumn('client_id', 'text')
          .addColumn('interaction_id', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('consent_id', 'text')
          .addColumn('dpop_private_jwk', 'text')
          .addColumn('error_json', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('shared_accounts_json', 'text')
          .addColumn('request_object_encryption', 'text')
          .addColumn('id_token_encryption', 'text')
          .addColumn('jarm_encryption', 'text')
          .addColumn('ciba_mode', 'text')
          .addColumn('authorization_details_json', 'text')
          .execute();
        await db.schema
          .createIndex('connections_by_session')
          .ifNotExists()
          .on('connections')
          .columns(['session_id', 'created_at'])
          .execute();
        await db.schema
          .createTable('tokens')
          .ifNotExists()
          .addColumn('connection_id', 'text', (c) => c.notNull())
          .addColumn('grant_name', 'text', (c) => c.notNull())
          .addColumn('access_token', 'text', (c) => c.notNull())
          .addColumn('refresh_token', 'text')
          .addColumn('token_type', 'text', (c) => c.notNull())
          .addColumn('scope', 'text')
          // Epoch seconds; bigint, as every instant here (PostgreSQL's integer ends in 2038).
          .addColumn('expires_at', 'bigint')
          .addColumn('issued_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('tokens_pk', ['connection_id', 'grant_name'])
          .execute();
        await db.schema
          .createTable('authorizations')
          .ifNotExists()
          .addColumn('state', 'text', (c) => c.primaryKey())
          .addColumn('connection_id', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text', (c) => c.notNull())
          .addColumn('purpose', 'text', (c) => c.notNull())
          .addColumn('payment_id', 'text')
          .addColumn('nonce', 'text', (c) => c.notNull())
          .addColumn('code_verifier', 'text', (c) => c.notNull())
          .addColumn('consent_id', 'text', (c) => c.notNull())
          // Epoch milliseconds.
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('completed_at', 'bigint')
          .execute();
        await db.schema
          .createTable('payments')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('connection_id', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('request_json', 'text', (c) => c.notNull())
          .addColumn('consent_id', 'text')
          .addColumn('idempotency_key', 'text', (c) => c.notNull())
          .addColumn('domestic_payment_id', 'text')
          .addColumn('bank_status', 'text')
          .addColumn('error_json', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('backchannel_requests')
          .ifNotExists()
          .addColumn('connection_id', 'text', (c) => c.primaryKey())
          .addColumn('auth_req_id', 'text', (c) => c.notNull().unique())
          .addColumn('login_hint', 'text', (c) => c.notNull())
          .addColumn('binding_message', 'text', (c) => c.notNull())
          .addColumn('notification_token', 'text')
          .addColumn('interval_seconds', 'integer', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('pinged_at', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('trace_events')
          .ifNotExists()
          .addColumn('seq', counter, (c) =>
            engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('event_json', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('trace_events_by_scope')
          .ifNotExists()
          .on('trace_events')
          .columns(['scope', 'seq'])
          .execute();
        await addColumnsMissingFromAdoptedFile(db);
      },
    },
  };
}

async function addColumnsMissingFromAdoptedFile(db: AnyDb): Promise<void> {
  const tables = await db.introspection.getTables();
  for (const { table, column } of COLUMNS_ADDED_BEFORE_MIGRATIONS) {
    const columns = tables.find((t) => t.name === table)?.columns ?? [];
    if (!columns.some((c) => c.name === column)) {
      await db.schema.alterTable(table).addColumn(column, 'text').execute();
    }
  }
}

/** The migrations this code knows, oldest first (tests read the names). */
export function tppMigrationNames(engine: Engine): string[] {
  return Object.keys(migrations(engine));
}

/**
 * Applies the migrations the database has not had. A database migrated by newer code (a migration this
 * code does not know) is refused rather than misread.
 */
export async function migrateTppToLatest(db: AnyDb, engine: Engine): Promise<void> {
  try {
    await migrateToLatest(db, migrations(engine), "The TPP's database");
  } catch (err) {
    throw new Error(
      `${(err as Error).message}. Fix: run this code against a database no newer than it, or remove data/tpp (or point FAPI_TPP_DATABASE_URL at a fresh database).`,
      { cause: err },
    );
  }
}
