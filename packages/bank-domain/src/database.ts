// The bank's database behind one query builder (Kysely), on either engine: an embedded SQLite file by
// default (bank-op and bank-api open the same file: two processes, one writer at a time), or a
// PostgreSQL server when DATABASE_URL names one (several replicas of each party). Every query and
// transaction is written once, against Kysely; only connecting differs.
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type Generated,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import pg from 'pg';

export interface MetaTable {
  key: string;
  value: string;
}

export interface CustomersTable {
  customer_id: string;
  username: string;
  display_name: string;
  password_hash: string;
}

export interface AccountsTable {
  account_id: string;
  customer_id: string;
  currency: string;
  account_type: 'Personal' | 'Business';
  account_sub_type: 'CurrentAccount' | 'Savings';
  nickname: string;
  opening_date: string;
  scheme_name: string;
  identification: string;
  name: string;
  opening_balance_minor: number;
  overdraft_limit_minor: number;
  position: number;
}

export interface TransactionsTable {
  seq: Generated<number>;
  transaction_id: string;
  account_id: string;
  transaction_reference: string | null;
  amount_minor: number;
  currency: string;
  credit_debit: 'Credit' | 'Debit';
  booking_date_time: string;
  value_date_time: string;
  information: string;
  bank_code: string;
  bank_sub_code: string;
  merchant_name: string | null;
  merchant_category_code: string | null;
  balance_after_minor: number;
}

export interface ConsentsTable {
  consent_id: string;
  kind: 'account-access' | 'domestic-payment';
  client_id: string;
  status: 'AwaitingAuthorisation' | 'Authorised' | 'Rejected' | 'Revoked' | 'Consumed';
  creation_date_time: string;
  status_update_date_time: string;
  permissions: string | null;
  expiration_date_time: string | null;
  transaction_from_date_time: string | null;
  transaction_to_date_time: string | null;
  initiation: string | null;
  risk: string | null;
  customer_id: string | null;
  account_ids: string | null;
  revoked_by: 'tpp' | 'customer' | null;
}

export interface DomesticPaymentsTable {
  domestic_payment_id: string;
  consent_id: string;
  client_id: string;
  status: 'AcceptedSettlementCompleted';
  creation_date_time: string;
  status_update_date_time: string;
  initiation: string;
  debtor_account_id: string;
  transaction_id: string;
}

export interface IdempotencyRecordsTable {
  client_id: string;
  operation: string;
  idempotency_key: string;
  request_hash: string;
  response_status: number;
  response_body: string;
  created_at: string;
}

export interface TokenRevocationsTable {
  kind: 'grant' | 'access-token';
  id: string;
  reason: string;
  revoked_at: string;
  expires_at: string;
}

export interface BankTables {
  meta: MetaTable;
  customers: CustomersTable;
  accounts: AccountsTable;
  transactions: TransactionsTable;
  consents: ConsentsTable;
  domestic_payments: DomesticPaymentsTable;
  idempotency_records: IdempotencyRecordsTable;
  token_revocations: TokenRevocationsTable;
}

export type BankDb = Kysely<BankTables>;
export type Engine = 'sqlite' | 'postgres';

export interface BankDatabase {
  db: BankDb;
  engine: Engine;
}

export interface DatabaseLocation {
  /** The SQLite file (its folder is created if missing); used when `url` is absent. */
  file: string;
  /** `postgres://user@host:port/database` (DATABASE_URL): the bank lives on that server instead. */
  url?: string | undefined;
  /** How long a writer waits for another process's lock, in ms. */
  busyTimeoutMs?: number;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export function openDatabase(location: DatabaseLocation): BankDatabase {
  if (location.url !== undefined) {
    if (!isPostgresUrl(location.url)) {
      throw new Error(
        `DATABASE_URL must be a postgres:// or postgresql:// URL (got ${location.url.split(':')[0]}:…); unset it to use the embedded SQLite file`,
      );
    }
    return { db: new Kysely<BankTables>({ dialect: postgresDialect(location.url) }), engine: 'postgres' };
  }
  return { db: new Kysely<BankTables>({ dialect: sqliteDialect(location) }), engine: 'sqlite' };
}

/**
 * Runs `work` in one transaction, or inside the caller's when `db` already is one (a payment run by
 * the idempotency store commits or rolls back with its record).
 */
export function inTransaction<T>(db: BankDb, work: (trx: BankDb) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

// PostgreSQL's int8 (COUNT, bigint columns) arrives as text by default; the bank's amounts are safe integers.
const INT8_OID = 20;
/** The bank's PostgreSQL server (DATABASE_URL), for bank-op's own tables beside the bank's too. */
export function postgresDialect(url: string): PostgresDialect {
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  return new PostgresDialect({ pool: new pg.Pool({ connectionString: url, types, max: 10 }) });
}

function sqliteDialect(location: DatabaseLocation): SqliteDialect {
  fs.mkdirSync(path.dirname(location.file), { recursive: true });
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
 * (the bank's queries are a fixed set; values are always bound parameters).
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
 * that reads a consent and then writes cannot interleave with another process's; the other waits
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
 * connection; but bank-op and bank-api open the same file at once, and both would apply a migration
 * (the second failing on kysely_migration's key). SQLite's DDL is transactional, so say so: the migrator
 * then reads its state and migrates inside one BEGIN IMMEDIATE, and the other process waits its turn.
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
