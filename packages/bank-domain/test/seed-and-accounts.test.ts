import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountNotFound, InvalidQuery, openBankStore, seedReferenceDate } from '../src/index.js';
import { ALICE, BOB, openTestBank, type TestBank } from './helpers.js';

let bank: TestBank;
beforeEach(() => {
  bank = openTestBank();
});
afterEach(() => bank.cleanup());

describe('customers', () => {
  it('logs in the demo customers with the passwords shown to learners', async () => {
    const credentials = bank.store.customers.demoCredentials();
    expect(credentials.map((c) => c.username)).toEqual(['alice', 'bob', 'carol']);
    for (const { username, password, displayName } of credentials) {
      const customer = await bank.store.customers.authenticate(username, password);
      expect(customer).toMatchObject({ username, displayName });
      expect(bank.store.customers.get(customer!.customerId)).toEqual(customer);
    }
  });

  it('refuses a wrong password and an unknown user, and stores no plain password', async () => {
    expect(await bank.store.customers.authenticate('alice', 'builder')).toBeUndefined();
    expect(await bank.store.customers.authenticate('alice', '')).toBeUndefined();
    expect(await bank.store.customers.authenticate('mallory', 'wonderland')).toBeUndefined();
    expect(bank.store.customers.get('cust-mallory')).toBeUndefined();
    const db = new Database(bank.file, { readonly: true });
    const hashes = db.prepare('SELECT password_hash FROM customers').pluck().all() as string[];
    db.close();
    expect(hashes).toHaveLength(3);
    for (const hash of hashes) expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hashes.join()).not.toMatch(/wonderland|builder|christmas/);
  });

  it('checks a password without blocking the event loop: timers keep firing while scrypt runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      // Synchronous scrypt would hold the loop for all three checks: no timer could fire in between.
      for (const password of ['builder', 'wonderland', 'nope'])
        await bank.store.customers.authenticate('alice', password);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it('seeds a second fresh bank with the hashes this process already computed, with the same parameters', async () => {
    const other = openTestBank();
    try {
      const hashesOf = (file: string) => {
        const db = new Database(file, { readonly: true });
        const hashes = db.prepare('SELECT password_hash FROM customers ORDER BY customer_id').pluck().all();
        db.close();
        return hashes;
      };
      expect(hashesOf(other.file)).toEqual(hashesOf(bank.file));
      expect((await other.store.customers.authenticate('carol', 'christmas'))?.customerId).toBe('cust-carol');
      expect(await other.store.customers.authenticate('carol', 'builder')).toBeUndefined();
    } finally {
      other.cleanup();
    }
  });
});

describe('seeded accounts', () => {
  it('gives Alice a GBP current and savings account identified by sort code and account number', () => {
    const accounts = bank.store.accounts.listForCustomer(ALICE.customerId);
    expect(accounts.map((a) => [a.accountId, a.accountSubType])).toEqual([
      [ALICE.current, 'CurrentAccount'],
      [ALICE.savings, 'Savings'],
    ]);
    for (const account of accounts) {
      expect(account.currency).toBe('GBP');
      expect(account.account[0]).toMatchObject({
        schemeName: 'UK.OBIE.SortCodeAccountNumber',
        name: 'Alice Carter',
      });
      expect(account.account[0]!.identification).toMatch(/^\d{14}$/);
    }
    expect(bank.store.accounts.ownerOf(BOB.current)).toBe(BOB.customerId);
    expect(bank.store.accounts.get('nope')).toBeUndefined();
    expect(bank.store.accounts.listForCustomer('cust-nobody')).toEqual([]);
  });

  it('is the same bank on every fresh file (deterministic seed)', () => {
    const other = openTestBank();
    try {
      const dump = (b: TestBank) =>
        ['70000101', '70000102', '70000201', '70000301'].map((id) => ({
          balances: b.store.accounts.balances(id).map((x) => x.amountMinor),
          transactions: b.store.accounts.transactions(id, { pageSize: 100 }).transactions,
        }));
      expect(dump(other)).toEqual(dump(bank));
    } finally {
      other.cleanup();
    }
  });

  it('has about three months of merchant history ending the day before it was seeded', () => {
    const page = bank.store.accounts.transactions(ALICE.current, { pageSize: 100 });
    expect(page.totalCount).toBeGreaterThan(100);
    const all = [1, 2].flatMap(
      (p) => bank.store.accounts.transactions(ALICE.current, { pageSize: 100, page: p }).transactions,
    );
    expect(all).toHaveLength(page.totalCount);
    const newest = all[0]!.bookingDateTime;
    const oldest = all.at(-1)!.bookingDateTime;
    const seededDay = seedReferenceDate(bank.clock.now).toISOString();
    expect(newest < seededDay).toBe(true);
    expect(Date.parse(seededDay) - Date.parse(newest)).toBeLessThan(2 * 86_400_000);
    const days = (Date.parse(newest) - Date.parse(oldest)) / 86_400_000;
    expect(days).toBeGreaterThan(85);
    expect(all.some((t) => t.merchantDetails?.merchantName === 'Tesco Stores')).toBe(true);
    expect(
      all.some((t) => t.transactionInformation.includes('SALARY') && t.creditDebitIndicator === 'Credit'),
    ).toBe(true);
  });

  it('seeds recent history whatever the date: a bank seeded today shows last week', () => {
    const later = openTestBank(new Date('2031-03-15T16:45:00.000Z'));
    try {
      const [newest] = later.store.accounts.transactions(ALICE.current, { pageSize: 1 }).transactions;
      expect(newest!.bookingDateTime.slice(0, 10)).toBe('2031-03-14');
      expect(seedReferenceDate(later.clock.now).toISOString()).toBe('2031-03-15T00:00:00.000Z');
    } finally {
      later.cleanup();
    }
  });

  it('keeps each transaction’s running balance consistent with the booked balance', () => {
    const [booked] = bank.store.accounts.balances(ALICE.current);
    const [newest] = bank.store.accounts.transactions(ALICE.current, { pageSize: 1 }).transactions;
    expect(booked!.type).toBe('InterimBooked');
    const signed = booked!.creditDebitIndicator === 'Credit' ? booked!.amountMinor : -booked!.amountMinor;
    expect(newest!.balanceAfterMinor).toBe(signed);

    const all = bank.store.accounts.transactions(ALICE.savings, { pageSize: 100 }).transactions.reverse();
    for (let i = 1; i < all.length; i++) {
      const tx = all[i]!;
      const delta = tx.creditDebitIndicator === 'Credit' ? tx.amountMinor : -tx.amountMinor;
      expect(tx.balanceAfterMinor - all[i - 1]!.balanceAfterMinor).toBe(delta);
    }
  });
});

describe('balances', () => {
  it('reports booked and available (booked + arranged overdraft) balances', () => {
    const [booked, available] = bank.store.accounts.balances(ALICE.current);
    expect(booked).toMatchObject({ type: 'InterimBooked', currency: 'GBP', creditLine: [] });
    expect(available).toMatchObject({
      type: 'InterimAvailable',
      creditLine: [{ included: true, type: 'Available', amountMinor: 50_000, currency: 'GBP' }],
    });
    expect(available!.amountMinor - booked!.amountMinor).toBe(50_000);
    expect(booked!.dateTime).toBe(bank.clock.now.toISOString());
  });

  it('refuses an unknown account', () => {
    expect(() => bank.store.accounts.balances('70009999')).toThrow(AccountNotFound);
    expect(() => bank.store.accounts.transactions('70009999')).toThrow(AccountNotFound);
  });
});

describe('transactions: booking-date filters and paging', () => {
  it('filters by booking date, inclusive at both ends, newest first', () => {
    const from = '2025-06-01T00:00:00.000Z';
    const to = '2025-06-15T23:59:59.999Z';
    const page = bank.store.accounts.transactions(ALICE.current, {
      fromBookingDateTime: from,
      toBookingDateTime: to,
      pageSize: 100,
    });
    expect(page.totalCount).toBeGreaterThan(5);
    for (const tx of page.transactions) {
      expect(tx.bookingDateTime >= from && tx.bookingDateTime <= to).toBe(true);
    }
    const dates = page.transactions.map((t) => t.bookingDateTime);
    expect([...dates].sort().reverse()).toEqual(dates);
    const rent = page.transactions.find((t) => t.transactionReference === 'RENT');
    expect(rent?.bookingDateTime).toBe('2025-06-01T07:30:00.000Z');
  });

  it('accepts offsets in the bounds and compares instants', () => {
    const utc = bank.store.accounts.transactions(ALICE.current, {
      fromBookingDateTime: '2025-06-20T00:00:00Z',
    });
    const offset = bank.store.accounts.transactions(ALICE.current, {
      fromBookingDateTime: '2025-06-20T01:00:00+01:00',
    });
    expect(offset.totalCount).toBe(utc.totalCount);
  });

  it('pages without gaps or overlaps', () => {
    const all = bank.store.accounts.transactions(ALICE.current, { pageSize: 100 }).transactions.slice(0, 30);
    const p1 = bank.store.accounts.transactions(ALICE.current, { pageSize: 10, page: 1 });
    const p2 = bank.store.accounts.transactions(ALICE.current, { pageSize: 10, page: 2 });
    const p3 = bank.store.accounts.transactions(ALICE.current, { pageSize: 10, page: 3 });
    expect([...p1.transactions, ...p2.transactions, ...p3.transactions]).toEqual(all);
    expect(p1.totalPages).toBe(Math.ceil(p1.totalCount / 10));
    const beyond = bank.store.accounts.transactions(ALICE.current, { pageSize: 10, page: p1.totalPages + 1 });
    expect(beyond.transactions).toEqual([]);
  });

  it('returns only credits or only debits when asked', () => {
    const credits = bank.store.accounts.transactions(ALICE.current, {
      creditDebitIndicator: 'Credit',
      pageSize: 100,
    });
    expect(credits.totalCount).toBeGreaterThan(0);
    expect(credits.transactions.every((t) => t.creditDebitIndicator === 'Credit')).toBe(true);
    const debits = bank.store.accounts.transactions(ALICE.current, { creditDebitIndicator: 'Debit' });
    const all = bank.store.accounts.transactions(ALICE.current);
    expect(credits.totalCount + debits.totalCount).toBe(all.totalCount);
  });

  it('refuses unparseable dates and bad paging', () => {
    expect(() =>
      bank.store.accounts.transactions(ALICE.current, { fromBookingDateTime: 'yesterday' }),
    ).toThrow(InvalidQuery);
    expect(() => bank.store.accounts.transactions(ALICE.current, { page: 0 })).toThrow(InvalidQuery);
    expect(() => bank.store.accounts.transactions(ALICE.current, { pageSize: 1000 })).toThrow(InvalidQuery);
    expect(() => bank.store.accounts.transactions(ALICE.current, { page: 1.5 })).toThrow(InvalidQuery);
  });
});

describe('the shared file', () => {
  it('opens in WAL mode and a second connection sees the first one’s seed and writes', async () => {
    const second = openBankStore({ file: bank.file });
    try {
      expect((await second.customers.authenticate('bob', 'builder'))?.customerId).toBe(BOB.customerId);
      const consent = bank.store.consents.createAccountAccess({
        clientId: 'c1',
        permissions: ['ReadBalances'],
      });
      expect(second.consents.get(consent.consentId)?.status).toBe('AwaitingAuthorisation');
      const transactions = bank.store.accounts.transactions(ALICE.current).totalCount;
      expect(second.accounts.transactions(ALICE.current).totalCount).toBe(transactions);
    } finally {
      second.close();
    }
    expect(fs.existsSync(`${bank.file}-wal`)).toBe(true);
  });

  it('creates the folder of a new file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-domain-dir-'));
    const store = openBankStore({ file: path.join(dir, 'nested', 'bank', 'bank.sqlite') });
    expect(store.accounts.listForCustomer(ALICE.customerId)).toHaveLength(2);
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
