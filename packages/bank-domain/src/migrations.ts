// The bank's schema as versioned migrations (Kysely's Migrator), applied when a store opens: a change
// of schema is a new migration appended here, never an edit of an old one, so an existing database is
// upgraded in place and keeps its data. fapi-core's migrateToLatest (sql-database.ts) applies them,
// once, however many processes open a fresh database together.
import { migrateToLatest as applyMigrations } from '@fapi-sandbox/fapi-core/sql-database';
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { BankDb, Engine } from './database.js';

// Migrations see the database as it was when they were written, not as BankTables says it is now.
// biome-ignore lint/suspicious/noExplicitAny: a migration is written against the schema of its time
type Db = Kysely<any>;

function migrations(engine: Engine): Record<string, Migration> {
  // The one difference between the engines' schemas: how a row counter is declared.
  const counter = engine === 'postgres' ? 'bigserial' : 'integer';
  return {
    // Created with IF NOT EXISTS: a bank.sqlite made before migrations (schema_version 1) is adopted as is.
    '0001-initial': {
      async up(db: Db) {
        await db.schema
          .createTable('meta')
          .ifNotExists()
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('customers')
          .ifNotExists()
          .addColumn('customer_id', 'text', (c) => c.primaryKey())
          .addColumn('username', 'text', (c) => c.notNull().unique())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('accounts')
          .ifNotExists()
          .addColumn('account_id', 'text', (c) => c.primaryKey())
          .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.customer_id'))
          .addColumn('currency', 'text', (c) => c.notNull())
          .addColumn('account_type', 'text', (c) => c.notNull())
          .addColumn('account_sub_type', 'text', (c) => c.notNull())
          .addColumn('nickname', 'text', (c) => c.notNull())
          .addColumn('opening_date', 'text', (c) => c.notNull())
          .addColumn('scheme_name', 'text', (c) => c.notNull())
          .addColumn('identification', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('opening_balance_minor', 'bigint', (c) => c.notNull())
          .addColumn('overdraft_limit_minor', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('position', 'integer', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('transactions')
          .ifNotExists()
          .addColumn('seq', counter, (c) =>
            engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('transaction_id', 'text', (c) => c.notNull().unique())
          .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id'))
          .addColumn('transaction_reference', 'text')
          .addColumn('amount_minor', 'bigint', (c) => c.notNull().check(sql`amount_minor > 0`))
          .addColumn('currency', 'text', (c) => c.notNull())
          .addColumn('credit_debit', 'text', (c) =>
            c.notNull().check(sql`credit_debit IN ('Credit', 'Debit')`),
          )
          .addColumn('booking_date_time', 'text', (c) => c.notNull())
          .addColumn('value_date_time', 'text', (c) => c.notNull())
          .addColumn('information', 'text', (c) => c.notNull())
          .addColumn('bank_code', 'text', (c) => c.notNull())
          .addColumn('bank_sub_code', 'text', (c) => c.notNull())
          .addColumn('merchant_name', 'text')
          .addColumn('merchant_category_code', 'text')
          .addColumn('balance_after_minor', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('transactions_by_account_date')
          .ifNotExists()
          .on('transactions')
          .columns(['account_id', 'booking_date_time', 'seq'])
          .execute();
        await db.schema
          .createTable('consents')
          .ifNotExists()
          .addColumn('consent_id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) =>
            c.notNull().check(sql`kind IN ('account-access', 'domestic-payment')`),
          )
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('creation_date_time', 'text', (c) => c.notNull())
          .addColumn('status_update_date_time', 'text', (c) => c.notNull())
          .addColumn('permissions', 'text')
          .addColumn('expiration_date_time', 'text')
          .addColumn('transaction_from_date_time', 'text')
          .addColumn('transaction_to_date_time', 'text')
          .addColumn('initiation', 'text')
          .addColumn('risk', 'text')
          .addColumn('customer_id', 'text', (c) => c.references('customers.customer_id'))
          .addColumn('account_ids', 'text')
          .addColumn('revoked_by', 'text')
          .execute();
        await db.schema
          .createTable('domestic_payments')
          .ifNotExists()
          .addColumn('domestic_payment_id', 'text', (c) => c.primaryKey())
          // A payment consent is single use: a second payment on it is impossible, even under a race.
          .addColumn('consent_id', 'text', (c) => c.notNull().unique().references('consents.consent_id'))
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('creation_date_time', 'text', (c) => c.notNull())
          .addColumn('status_update_date_time', 'text', (c) => c.notNull())
          .addColumn('initiation', 'text', (c) => c.notNull())
          .addColumn('debtor_account_id', 'text', (c) => c.notNull().references('accounts.account_id'))
          .addColumn('transaction_id', 'text', (c) => c.notNull().references('transactions.transaction_id'))
          .execute();
        await db.schema
          .createTable('idempotency_records')
          .ifNotExists()
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('operation', 'text', (c) => c.notNull())
          .addColumn('idempotency_key', 'text', (c) => c.notNull())
          .addColumn('request_hash', 'text', (c) => c.notNull())
          .addColumn('response_status', 'integer', (c) => c.notNull())
          .addColumn('response_body', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          // One record per (client, operation, key): a concurrent retry cannot insert a second.
          .addUniqueConstraint('idempotency_records_key', ['client_id', 'operation', 'idempotency_key'])
          .execute();
        // Revoked grants and access tokens (token-revocations.ts): written by bank-op, read by bank-api.
        await db.schema
          .createTable('token_revocations')
          .ifNotExists()
          .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('grant', 'access-token')`))
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('token_revocations_pk', ['kind', 'id'])
          .execute();
      },
    },
  };
}

/** The migrations this code knows, oldest first (tests read the names). */
export function migrationNames(engine: Engine): string[] {
  return Object.keys(migrations(engine));
}

/** Applies every migration the database has not had yet (the first `only`, when given: tests). */
export function migrateToLatest(db: BankDb, engine: Engine, only?: number): Promise<string[]> {
  const all = migrations(engine);
  const names = Object.keys(all).slice(0, only);
  return applyMigrations(
    db,
    Object.fromEntries(names.map((name) => [name, all[name]!])),
    'The bank database',
  );
}
