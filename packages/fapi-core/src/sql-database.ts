// A party's database behind one query builder (Kysely), on either engine: an embedded SQLite file by
// default, or a PostgreSQL server when the party's database URL names one (several replicas of the
// party, see config.ts). Every query, transaction and migration is written once, against Kysely; only
// connecting differs. The bank (bank-domain) and the directory open their databases here.
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';

export type Engine = 'sqlite' | 'postgres';

export interface DatabaseLocation {
  /** The SQLite file (its folder is created if missing); used when `url` is absent. */
  file: string;
  /** `postgres://user@host:port/database`: the data lives on that server instead. */
  url?: string | undefined;
  /** How long a writer waits for another process's lock, in ms. */
  busyTimeoutMs?: number;
}

export interface OpenedDatabase<Tables> {
  db: Kysely<Tables>;
  engine: Engine;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** `variable` names the setting the URL came from, for the refusal of anything but PostgreSQL. */
export function openSqlDatabase<Tables>(
  location: DatabaseLocation,
  variable = 'DATABASE_URL',
): OpenedDatabase<Tables> {
  if (location.url !== undefined) {
    if (!isPostgresUrl(location.url)) {
      throw new Error(
        `${variable} must be a postgres:// or postgresql:// URL (got ${location.url.split(':')[0]}:…); unset it to use the embedded SQLite file`,
      );
    }
    return { db: new Kysely<Tables>({ dialect: postgresDialect(location.url) }), engine: 'postgres' };
  }
  return { db: new Kysely<Tables>({ dialect: sqliteDialect(location) }), engine: 'sqlite' };
}

/**
 * Runs `work` in one transaction, or inside the caller's when `db` already is one (a step of a larger
 * write commits or rolls back with it).
 */
export function inTransaction<Tables, T>(
  db: Kysely<Tables>,
  work: (trx: Kysely<Tables>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** True when the engine refused a write because a primary key or unique column already holds the value. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  // SQLite (better-sqlite3's extended result codes), PostgreSQL's unique_violation (SQLSTATE 23505).
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/**
 * Applies every migration the database has not had yet, in the order given, and returns their names.
 * Refuses a database migrated by newer code (a migration it does not know) instead of running against
 * a schema it cannot read. The Migrator holds a lock while it runs: PostgreSQL's advisory lock, SQLite's
 * write lock (BEGIN IMMEDIATE, below), so processes opening a fresh database together migrate it once.
 */
export async function migrateToLatest<Tables>(
  db: Kysely<Tables>,
  migrations: Record<string, Migration>,
  what: string,
  /** Where this list's progress is kept, when another list shares the database (bank-op's beside the bank's). */
  tables: { migrationTableName?: string; migrationLockTableName?: string } = {},
): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  // biome-ignore lint/suspicious/noExplicitAny: a migration is written against the schema of its time
  const migrator = new Migrator({ db: db as Kysely<any>, provider, ...tables });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(
      `${what} could not be migrated${failed ? ` (migration ${failed})` : ''}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

// PostgreSQL's int8 (COUNT, bigint columns) arrives as text by default; the sandbox's counts and
// amounts are safe integers.
const INT8_OID = 20;
function postgresDialect(url: string): PostgresDialect {
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  return new PostgresDialect({ pool: new pg.Pool({ connectionString: url, types, max: 10 }) });
}

function sqliteDialect(location: DatabaseLocation): SqliteDialect {
  fs.mkdirSync(path.dirname(location.file), { recursive: true, mode: 0o700 });
  const db = new SqliteDatabase(location.file);
  try {
    // WAL lets readers run beside the one writer; busy_timeout makes a writer wait for the other
    // process's lock instead of failing; in WAL mode NORMAL keeps every commit atomic without an fsync each.
    db.pragma(`busy_timeout = ${location.busyTimeoutMs ?? 5000}`);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
  } catch (err) {
    db.close();
    throw err;
  }
  return new ImmediateSqliteDialect({ database: cachingStatements(db) });
}

/**
 * better-sqlite3 statements are reusable, but Kysely prepares each query afresh: keep one per SQL text
 * (a party's queries are a fixed set; values are always bound parameters).
 */
function cachingStatements(db: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => db.close(),
  };
}

/**
 * SQLite: every transaction takes the write lock when it begins (BEGIN IMMEDIATE), so a transaction
 * that reads and then writes cannot interleave with another process's; the other waits
 * (busy_timeout) instead of failing to upgrade its read lock. That wait blocks its thread, so within
 * one process open one store per file: a second connection waiting there would stall the first.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/**
 * Kysely's SQLite adapter runs migrations outside a transaction with no lock, since one process has one
 * connection; but two processes may open the same file at once (bank-op and bank-api do), and both would
 * apply a migration (the second failing on kysely_migration's key). SQLite's DDL is transactional, so say
 * so: the migrator then reads its state and migrates inside one BEGIN IMMEDIATE, and the other waits.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}
