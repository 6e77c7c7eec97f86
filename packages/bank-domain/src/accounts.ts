// Accounts, their balances and their transactions (the Account and Transaction API's data).
import type Database from 'better-sqlite3';
import { AccountNotFound, InvalidQuery } from './errors.js';
import type { Account, Balance, Transaction, TransactionPage, TransactionQuery } from './types.js';

export interface AccountRow {
  account_id: string;
  customer_id: string;
  currency: string;
  account_type: Account['accountType'];
  account_sub_type: Account['accountSubType'];
  nickname: string;
  opening_date: string;
  scheme_name: string;
  identification: string;
  name: string;
  opening_balance_minor: number;
  overdraft_limit_minor: number;
}

interface TransactionRow {
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
  listForCustomer(customerId: string): Account[];
  get(accountId: string): Account | undefined;
  /** The customer who holds the account. */
  ownerOf(accountId: string): string | undefined;
  /** InterimBooked and InterimAvailable (booked + arranged overdraft). Throws AccountNotFound. */
  balances(accountId: string): Balance[];
  /** Booked transactions, newest first, filtered and paged. Throws AccountNotFound, InvalidQuery. */
  transactions(accountId: string, query?: TransactionQuery): TransactionPage;
}

/** Internal helpers the payment ledger shares with the read side. */
export interface Ledger {
  row(accountId: string): AccountRow | undefined;
  byIdentification(schemeName: string, identification: string): AccountRow | undefined;
  bookedBalance(accountId: string): number;
}

export function ledger(db: Database.Database): Ledger {
  const row = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE account_id = ?');
  const byIdentification = db.prepare<[string, string], AccountRow>(
    'SELECT * FROM accounts WHERE scheme_name = ? AND identification = ?',
  );
  const booked = db.prepare<[string], { balance: number }>(
    `SELECT a.opening_balance_minor + COALESCE(SUM(CASE t.credit_debit WHEN 'Credit' THEN t.amount_minor
       ELSE -t.amount_minor END), 0) AS balance
     FROM accounts a LEFT JOIN transactions t ON t.account_id = a.account_id
     WHERE a.account_id = ? GROUP BY a.account_id`,
  );
  return {
    row: (accountId) => row.get(accountId),
    byIdentification: (schemeName, identification) => byIdentification.get(schemeName, identification),
    bookedBalance: (accountId) => booked.get(accountId)?.balance ?? 0,
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

export function accountsRepository(db: Database.Database, now: () => Date): Accounts {
  const l = ledger(db);
  const forCustomer = db.prepare<[string], AccountRow>(
    'SELECT * FROM accounts WHERE customer_id = ? ORDER BY position',
  );

  const requireRow = (accountId: string): AccountRow => {
    const found = l.row(accountId);
    if (!found) throw new AccountNotFound(accountId);
    return found;
  };

  return {
    listForCustomer: (customerId) => forCustomer.all(customerId).map(toAccount),
    get(accountId) {
      const found = l.row(accountId);
      return found ? toAccount(found) : undefined;
    },
    ownerOf: (accountId) => l.row(accountId)?.customer_id,
    balances(accountId) {
      const account = requireRow(accountId);
      const booked = l.bookedBalance(accountId);
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
    transactions(accountId, query = {}) {
      requireRow(accountId);
      const from = isoBound(query.fromBookingDateTime, 'fromBookingDateTime');
      const to = isoBound(query.toBookingDateTime, 'toBookingDateTime');
      const page = positiveInteger(query.page, 1, 'page');
      const pageSize = positiveInteger(query.pageSize, DEFAULT_PAGE_SIZE, 'pageSize', MAX_PAGE_SIZE);

      const where = ['account_id = @accountId'];
      const params: Record<string, string> = { accountId };
      if (from) {
        where.push('booking_date_time >= @from');
        params.from = from;
      }
      if (to) {
        where.push('booking_date_time <= @to');
        params.to = to;
      }
      if (query.creditDebitIndicator) {
        where.push('credit_debit = @direction');
        params.direction = query.creditDebitIndicator;
      }
      const clause = where.join(' AND ');

      const { count } = db
        .prepare<typeof params, { count: number }>(
          `SELECT COUNT(*) AS count FROM transactions WHERE ${clause}`,
        )
        .get(params)!;
      const rows = db
        .prepare<Record<string, string | number>, TransactionRow>(
          `SELECT * FROM transactions WHERE ${clause}
           ORDER BY booking_date_time DESC, seq DESC LIMIT @limit OFFSET @offset`,
        )
        .all({ ...params, limit: pageSize, offset: (page - 1) * pageSize });
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
