// Accounts, their balances and their transactions (the Account and Transaction API's data).
import { sql } from 'kysely';
import type { AccountsTable, BankDb, Engine, TransactionsTable } from './database.js';
import { AccountNotFound, InvalidQuery } from './errors.js';
import { preparedQuery } from './prepared-query.js';
import type { Account, Balance, Transaction, TransactionPage, TransactionQuery } from './types.js';

export type AccountRow = Omit<AccountsTable, 'position'>;

type TransactionRow = Omit<TransactionsTable, 'seq'>;

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

const toAccount = (row: AccountRow): Account => ({
  accountId: row.account_id,
  status: 'Enabled',
  currency: row.currency,
  accountType: row.account_type,
  accountSubType: row.account_sub_type,
  nickname: row.nickname,
  openingDate: row.opening_date,
  account: [{ schemeName: row.scheme_name, identification: row.identification, name: row.name }],
});

const toTransaction = (row: TransactionRow): Transaction => ({
  transactionId: row.transaction_id,
  accountId: row.account_id,
  ...(row.transaction_reference ? { transactionReference: row.transaction_reference } : {}),
  amountMinor: row.amount_minor,
  currency: row.currency,
  creditDebitIndicator: row.credit_debit,
  status: 'Booked',
  bookingDateTime: row.booking_date_time,
  valueDateTime: row.value_date_time,
  transactionInformation: row.information,
  bankTransactionCode: { code: row.bank_code, subCode: row.bank_sub_code },
  ...(row.merchant_name && row.merchant_category_code
    ? {
        merchantDetails: {
          merchantName: row.merchant_name,
          merchantCategoryCode: row.merchant_category_code,
        },
      }
    : {}),
  balanceAfterMinor: row.balance_after_minor,
});

export interface Accounts {
  listForCustomer(customerId: string): Promise<Account[]>;
  get(accountId: string): Promise<Account | undefined>;
  /** The customer who holds the account. */
  ownerOf(accountId: string): Promise<string | undefined>;
  /** InterimBooked and InterimAvailable (booked + arranged overdraft). Throws AccountNotFound. */
  balances(accountId: string): Promise<Balance[]>;
  /** Booked transactions, newest first, filtered and paged. Throws AccountNotFound, InvalidQuery. */
  transactions(accountId: string, query?: TransactionQuery): Promise<TransactionPage>;
}

/** Internal helpers the payment ledger shares with the read side. */
export interface Ledger {
  row(accountId: string): Promise<AccountRow | undefined>;
  byIdentification(schemeName: string, identification: string): Promise<AccountRow | undefined>;
  bookedBalance(accountId: string): Promise<number>;
  /**
   * Inside a transaction, holds these accounts until it ends, so two payments touching one account
   * book one after the other (PostgreSQL: row locks, taken in id order so two payers never deadlock;
   * SQLite: the transaction already holds the only write lock).
   */
  lock(accountIds: string[]): Promise<void>;
}

const accountRow = preparedQuery((db: BankDb, accountId: string) =>
  db.selectFrom('accounts').selectAll().where('account_id', '=', accountId),
);
const accountByIdentification = preparedQuery((db: BankDb, schemeName: string, identification: string) =>
  db
    .selectFrom('accounts')
    .selectAll()
    .where('scheme_name', '=', schemeName)
    .where('identification', '=', identification),
);
const bookedBalanceOf = preparedQuery((db: BankDb, accountId: string) =>
  db
    .selectFrom('accounts as a')
    .leftJoin('transactions as t', 't.account_id', 'a.account_id')
    .select(
      sql<number>`a.opening_balance_minor + COALESCE(SUM(CASE t.credit_debit WHEN 'Credit' THEN t.amount_minor
        ELSE -t.amount_minor END), 0)`.as('balance'),
    )
    .where('a.account_id', '=', accountId)
    .groupBy('a.account_id'),
);
const accountsOfCustomer = preparedQuery((db: BankDb, customerId: string) =>
  db.selectFrom('accounts').selectAll().where('customer_id', '=', customerId).orderBy('position'),
);

export function ledger(db: BankDb, engine: Engine): Ledger {
  return {
    row: async (accountId) => (await accountRow(db, accountId))[0],
    byIdentification: async (schemeName, identification) =>
      (await accountByIdentification(db, schemeName, identification))[0],
    async bookedBalance(accountId) {
      const [row] = await bookedBalanceOf(db, accountId);
      // PostgreSQL sums bigints as numeric, which arrives as text.
      return Number(row?.balance ?? 0);
    },
    async lock(accountIds) {
      if (engine !== 'postgres') return;
      await db
        .selectFrom('accounts')
        .select('account_id')
        .where('account_id', 'in', [...accountIds].sort())
        .orderBy('account_id')
        .forUpdate()
        .execute();
    },
  };
}

function isoBound(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new InvalidQuery(`${field} '${value.slice(0, 40)}' is not an ISO 8601 date-time`, field);
  return new Date(time).toISOString();
}

function positiveInteger(value: number | undefined, fallback: number, field: string, max?: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || (max !== undefined && value > max)) {
    throw new InvalidQuery(`${field} must be an integer from 1${max ? ` to ${max}` : ''}`, field);
  }
  return value;
}

export function accountsRepository(db: BankDb, l: Ledger, now: () => Date): Accounts {
  const requireRow = async (accountId: string): Promise<AccountRow> => {
    const found = await l.row(accountId);
    if (!found) throw new AccountNotFound(accountId);
    return found;
  };

  return {
    async listForCustomer(customerId) {
      return (await accountsOfCustomer(db, customerId)).map(toAccount);
    },
    async get(accountId) {
      const found = await l.row(accountId);
      return found ? toAccount(found) : undefined;
    },
    ownerOf: async (accountId) => (await l.row(accountId))?.customer_id,
    async balances(accountId) {
      const account = await requireRow(accountId);
      const booked = await l.bookedBalance(accountId);
      const available = booked + account.overdraft_limit_minor;
      const dateTime = now().toISOString();
      const creditLine =
        account.overdraft_limit_minor > 0
          ? [
              {
                included: true,
                type: 'Available' as const,
                amountMinor: account.overdraft_limit_minor,
                currency: account.currency,
              },
            ]
          : [];
      const balance = (type: Balance['type'], amount: number, lines: Balance['creditLine']): Balance => ({
        accountId,
        type,
        amountMinor: Math.abs(amount),
        currency: account.currency,
        creditDebitIndicator: amount >= 0 ? 'Credit' : 'Debit',
        dateTime,
        creditLine: lines,
      });
      return [balance('InterimBooked', booked, []), balance('InterimAvailable', available, creditLine)];
    },
    async transactions(accountId, query = {}) {
      await requireRow(accountId);
      const from = isoBound(query.fromBookingDateTime, 'fromBookingDateTime');
      const to = isoBound(query.toBookingDateTime, 'toBookingDateTime');
      const page = positiveInteger(query.page, 1, 'page');
      const pageSize = positiveInteger(query.pageSize, DEFAULT_PAGE_SIZE, 'pageSize', MAX_PAGE_SIZE);

      const filtered = db
        .selectFrom('transactions')
        .where('account_id', '=', accountId)
        .$if(from !== undefined, (q) => q.where('booking_date_time', '>=', from!))
        .$if(to !== undefined, (q) => q.where('booking_date_time', '<=', to!))
        .$if(query.creditDebitIndicator !== undefined, (q) =>
          q.where('credit_debit', '=', query.creditDebitIndicator!),
        );
      const counted = await filtered
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      const count = Number(counted.count);
      const rows = await filtered
        .selectAll()
        .orderBy('booking_date_time', 'desc')
        .orderBy('seq', 'desc')
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute();
      return {
        transactions: rows.map(toTransaction),
        page,
        pageSize,
        totalCount: count,
        totalPages: Math.max(1, Math.ceil(count / pageSize)),
      };
    },
  };
}
