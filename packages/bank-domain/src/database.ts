// The bank's database behind one query builder (Kysely), on either engine: an embedded SQLite file by
// default (bank-op and bank-api open the same file: two processes, one writer at a time), or a
// PostgreSQL server when DATABASE_URL names one (several replicas of each party). Connecting, on either
// engine, is fapi-core's (sql-database.ts), shared with the directory; this file names the bank's tables.
import {
  type DatabaseLocation,
  type Engine,
  inTransaction as inSharedTransaction,
  isPostgresUrl,
  openSqlDatabase,
} from '@fapi-sandbox/fapi-core/sql-database';
import type { Generated, Kysely } from 'kysely';

export type { DatabaseLocation, Engine };
export { isPostgresUrl };

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

export interface BankDatabase {
  db: BankDb;
  engine: Engine;
}

export function openDatabase(location: DatabaseLocation): BankDatabase {
  return openSqlDatabase<BankTables>(location, 'DATABASE_URL');
}

/**
 * Runs `work` in one transaction, or inside the caller's when `db` already is one (a payment run by
 * the idempotency store commits or rolls back with its record).
 */
export function inTransaction<T>(db: BankDb, work: (trx: BankDb) => Promise<T>): Promise<T> {
  return inSharedTransaction(db, work);
}
