// The directory's schema as versioned migrations (Kysely's Migrator), applied when the store opens: a
// change of schema is a new migration appended here, never an edit of an old one, so a kept data folder
// or a hosted database is upgraded in place and keeps its data. fapi-core's migrateToLatest applies them
// once, however many replicas open a fresh database together.
import { migrateToLatest } from '@fapi-sandbox/fapi-core/sql-database';
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DirectoryDb, Engine } from './database.js';

// Migrations see the database as it was when they were written, not as DirectoryTables says it is now.
// biome-ignore lint/suspicious/noExplicitAny: a migration is written against the schema of its time
type Db = Kysely<any>;

const STATUS_CHECK = sql`status IN ('active', 'suspended', 'revoked')`;

/** `source`: pki (from `pnpm pki`), csr (a participant's request), bundle (keys made for a portal bundle). */
function createCertificatesTable(db: Db, name: string) {
  return db.schema
    .createTable(name)
    .ifNotExists()
    .addColumn('serial_number', 'text', (c) => c.primaryKey())
    .addColumn('x5t_s256', 'text', (c) => c.notNull().unique())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.org_id'))
    .addColumn('software_id', 'text', (c) => c.notNull().references('software_statements.software_id'))
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type IN ('transport', 'signing')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('kid', 'text')
    .addColumn('alg', 'text')
    .addColumn('not_before', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    .addColumn('chain_pem', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source IN ('pki', 'csr', 'bundle')`))
    .addColumn('revoked_at', 'text')
    .addColumn('revocation_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

/**
 * A directory.sqlite made before migrations recorded its schema in `user_version` (1 to 3). The initial
 * migration creates only what is missing, so such a file is adopted with its rows; what else changed
 * between those versions is brought up here, on SQLite only (a PostgreSQL database was never made so).
 */
async function adoptFileMadeBeforeMigrations(db: Db): Promise<void> {
  const { rows } = await sql<{ user_version: number }>`PRAGMA user_version`.execute(db);
  const version = rows[0]?.user_version ?? 0;
  if (version === 0) return;
  if (version < 2) {
    // Version 2 added the `bundle` certificate source; SQLite rebuilds a table to widen a CHECK.
    await createCertificatesTable(db, 'certificates_v2');
    await sql`INSERT INTO certificates_v2 SELECT * FROM certificates`.execute(db);
    await db.schema.dropTable('certificates').execute();
    await db.schema.alterTable('certificates_v2').renameTo('certificates').execute();
  }
  const columns = await sql<{ name: string }>`PRAGMA table_info(encryption_keys)`.execute(db);
  if (columns.rows.length > 0 && !columns.rows.some((column) => column.name === 'position')) {
    // The order the keys were inserted in was SQLite's rowid; PostgreSQL has none, so it becomes a column.
    await db.schema
      .alterTable('encryption_keys')
      .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`UPDATE encryption_keys SET position = rowid`.execute(db);
  }
  await sql`PRAGMA user_version = 0`.execute(db);
}

function migrations(engine: Engine): Record<string, Migration> {
  return {
    // Created with IF NOT EXISTS: a directory.sqlite made before migrations is adopted as is (above).
    '0001-initial': {
      async up(db: Db) {
        if (engine === 'sqlite') await adoptFileMadeBeforeMigrations(db);
        await db.schema
          .createTable('organisations')
          .ifNotExists()
          .addColumn('org_id', 'text', (c) => c.primaryKey())
          .addColumn('org_name', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull().check(STATUS_CHECK))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('authorisation_servers')
          .ifNotExists()
          .addColumn('authorisation_server_id', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.org_id'))
          .addColumn('issuer', 'text', (c) => c.notNull().unique())
          .addColumn('discovery_url', 'text', (c) => c.notNull())
          .addColumn('api_base_url', 'text', (c) => c.notNull())
          .addColumn('customer_friendly_name', 'text', (c) => c.notNull())
          .addColumn('logo_uri', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('software_statements')
          .ifNotExists()
          .addColumn('software_id', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.org_id'))
          .addColumn('client_name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('roles', 'text', (c) => c.notNull())
          .addColumn('redirect_uris', 'text', (c) => c.notNull())
          .addColumn('logo_uri', 'text')
          .addColumn('status', 'text', (c) => c.notNull().check(STATUS_CHECK))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('software_statements_by_org')
          .ifNotExists()
          .on('software_statements')
          .column('org_id')
          .execute();
        await createCertificatesTable(db, 'certificates');
        await db.schema
          .createIndex('certificates_by_software')
          .ifNotExists()
          .on('certificates')
          .column('software_id')
          .execute();
        await db.schema
          .createTable('ssa_issuances')
          .ifNotExists()
          .addColumn('jti', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull())
          .addColumn('software_id', 'text', (c) => c.notNull().references('software_statements.software_id'))
          .addColumn('issued_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('certificate_serial_number', 'text', (c) => c.notNull())
          .addColumn('ssa', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('ssa_issuances_by_software')
          .ifNotExists()
          .on('ssa_issuances')
          .columns(['software_id', 'issued_at'])
          .execute();
        await db.schema
          .createTable('settings')
          .ifNotExists()
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
        // Developer portal sign-ups: only a SHA-256 of each developer token is kept, never the token.
        await db.schema
          .createTable('developer_tokens')
          .ifNotExists()
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.org_id'))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('developer_tokens_by_org')
          .ifNotExists()
          .on('developer_tokens')
          .column('org_id')
          .execute();
        // The public halves of the encryption keys (use enc) the portal made for a software's bundle,
        // published in its JWKS so a bank can encrypt ID tokens to it (OIDC Core §10.2). Never a private key.
        await db.schema
          .createTable('encryption_keys')
          .ifNotExists()
          .addColumn('kid', 'text', (c) => c.primaryKey())
          .addColumn('software_id', 'text', (c) => c.notNull().references('software_statements.software_id'))
          .addColumn('alg', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createIndex('encryption_keys_by_software')
          .ifNotExists()
          .on('encryption_keys')
          .column('software_id')
          .execute();
      },
    },
  };
}

/** The migrations this code knows, oldest first (tests read the names). */
export function migrationNames(engine: Engine): string[] {
  return Object.keys(migrations(engine));
}

export function migrateDirectory(db: DirectoryDb, engine: Engine): Promise<string[]> {
  return migrateToLatest(db, migrations(engine), "The directory's database");
}
