import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountNotFound, InvalidQuery, openBankStore, seedReferenceDate } from '../src/index.js';
import { ALICE, BOB, ENGINES, openTestBank, type TestBank } from './helpers.js';

describe.each(ENGINES)('on %s', (engine) => {
  let bank: TestBank;
  beforeEach(async () => {
    bank = await openTestBank(engine);
  });
  afterEach(() => bank.cleanup());

  describe('customers', () => {
    it('logs in the demo customers with the passwords shown to learners', async () => {
      const credentials = await bank.store.customers.demoCredentials();
      expect(credentials.map((c) => c.username)).toEqual(['alice', 'bob', 'carol']);
      for (const { username, password, displayName } of credentials) {
        const customer = await bank.store.customers.authenticate(username, password);
        expect(customer).toMatchObject({ username, displayName });
        expect(await bank.store.customers.get(customer!.customerId)).toEqual(customer);
      }
    });

    it('refuses a wrong password and an unknown user, and stores no plain password', async () => {
      expect(await bank.store.customers.authenticate('alice', 'builder')).toBeUndefined();
      expect(await bank.store.customers.authenticate('alice', '')).toBeUndefined();
      expect(await bank.store.customers.authenticate('mallory', 'wonderland')).toBeUndefined();
      expect(await bank.store.customers.get('cust-mallory')).toBeUndefined();
      const hashes = (await bank.probe.selectFrom('customers').select('password_hash').execute()).map(
        (r) => r.password_hash,
      );
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
      const other = await openTestBank(engine);
      try {
        const hashesOf = (b: TestBank) =>
          b.probe.selectFrom('customers').select('password_hash').orderBy('customer_id').execute();
        expect(await hashesOf(other)).toEqual(await hashesOf(bank));
        expect((await other.store.customers.authenticate('carol', 'christmas'))?.customerId).toBe(
          'cust-carol',
        );
        expect(await other.store.customers.authenticate('carol', 'builder')).toBeUndefined();
      } finally {
        await other.cleanup();
      }
    });
  });

  describe('seeded accounts', () => {
    it('gives Alice a GBP current and savings account identified by sort code and account number', async () => {
      const accounts = await bank.store.accounts.listForCustomer(ALICE.customerId);
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
      expect(await bank.store.accounts.ownerOf(BOB.current)).toBe(BOB.customerId);
      expect(await bank.store.accounts.get('nope')).toBeUndefined();
      expect(await bank.store.accounts.listForCustomer('cust-nobody')).toEqual([]);
    });

    it('is the same bank on every fresh file (deterministic seed)', async () => {
      const other = await openTestBank(engine);
      try {
        const dump = (b: TestBank) =>
          Promise.all(
            ['70000101', '70000102', '70000201', '70000301'].map(async (id) => ({
              balances: (await b.store.accounts.balances(id)).map((x) => x.amountMinor),
              transactions: (await b.store.accounts.transactions(id, { pageSize: 100 })).transactions,
            })),
          );
        expect(await dump(other)).toEqual(await dump(bank));
      } finally {
        await other.cleanup();
      }
    });

    it('has about three months of merchant history ending the day before it was seeded', async () => {
      const page = await bank.store.accounts.transactions(ALICE.current, { pageSize: 100 });
      expect(page.totalCount).toBeGreaterThan(100);
      const pages = await Promise.all(
        [1, 2].map((p) => bank.store.accounts.transactions(ALICE.current, { pageSize: 100, page: p })),
      );
      const all = pages.flatMap((p) => p.transactions);
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

    it('seeds recent history whatever the date: a bank seeded today shows last week', async () => {
      const later = await openTestBank(engine, new Date('2031-03-15T16:45:00.000Z'));
      try {
        const [newest] = (await later.store.accounts.transactions(ALICE.current, { pageSize: 1 }))
          .transactions;
        expect(newest!.bookingDateTime.slice(0, 10)).toBe('2031-03-14');
        expect(seedReferenceDate(later.clock.now).toISOString()).toBe('2031-03-15T00:00:00.000Z');
      } finally {
        await later.cleanup();
      }
    });

    it('keeps each transaction’s running balance consistent with the booked balance', async () => {
      const [booked] = await bank.store.accounts.balances(ALICE.current);
      const [newest] = (await bank.store.accounts.transactions(ALICE.current, { pageSize: 1 })).transactions;
      expect(booked!.type).toBe('InterimBooked');
      const signed = booked!.creditDebitIndicator === 'Credit' ? booked!.amountMinor : -booked!.amountMinor;
      expect(newest!.balanceAfterMinor).toBe(signed);

      const all = (
        await bank.store.accounts.transactions(ALICE.savings, { pageSize: 100 })
      ).transactions.reverse();
      for (let i = 1; i < all.length; i++) {
        const tx = all[i]!;
        const delta = tx.creditDebitIndicator === 'Credit' ? tx.amountMinor : -tx.amountMinor;
        expect(tx.balanceAfterMinor - all[i - 1]!.balanceAfterMinor).toBe(delta);
      }
    });
  });

  describe('balances', () => {
    it('reports booked and available (booked + arranged overdraft) balances', async () => {
      const [booked, available] = await bank.store.accounts.balances(ALICE.current);
      expect(booked).toMatchObject({ type: 'InterimBooked', currency: 'GBP', creditLine: [] });
      expect(available).toMatchObject({
        type: 'InterimAvailable',
        creditLine: [{ included: true, type: 'Available', amountMinor: 50_000, currency: 'GBP' }],
      });
      expect(available!.amountMinor - booked!.amountMinor).toBe(50_000);
      expect(booked!.dateTime).toBe(bank.clock.now.toISOString());
    });

    it('refuses an unknown account', async () => {
      await expect(bank.store.accounts.balances('70009999')).rejects.toThrow(AccountNotFound);
      await expect(bank.store.accounts.transactions('70009999')).rejects.toThrow(AccountNotFound);
    });
  });

  describe('transactions: booking-date filters and paging', () => {
    it('filters by booking date, inclusive at both ends, newest first', async () => {
      const from = '2025-06-01T00:00:00.000Z';
      const to = '2025-06-15T23:59:59.999Z';
      const page = await bank.store.accounts.transactions(ALICE.current, {
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

    it('accepts offsets in the bounds and compares instants', async () => {
      const utc = await bank.store.accounts.transactions(ALICE.current, {
        fromBookingDateTime: '2025-06-20T00:00:00Z',
      });
      const offset = await bank.store.accounts.transactions(ALICE.current, {
        fromBookingDateTime: '2025-06-20T01:00:00+01:00',
      });
      expect(offset.totalCount).toBe(utc.totalCount);
    });

    it('pages without gaps or overlaps', async () => {
      const all = (
        await bank.store.accounts.transactions(ALICE.current, { pageSize: 100 })
      ).transactions.slice(0, 30);
      const p1 = await bank.store.accounts.transactions(ALICE.current, { pageSize: 10, page: 1 });
      const p2 = await bank.store.accounts.transactions(ALICE.current, { pageSize: 10, page: 2 });
      const p3 = await bank.store.accounts.transactions(ALICE.current, { pageSize: 10, page: 3 });
      expect([...p1.transactions, ...p2.transactions, ...p3.transactions]).toEqual(all);
      expect(p1.totalPages).toBe(Math.ceil(p1.totalCount / 10));
      const beyond = await bank.store.accounts.transactions(ALICE.current, {
        pageSize: 10,
        page: p1.totalPages + 1,
      });
      expect(beyond.transactions).toEqual([]);
    });

    it('returns only credits or only debits when asked', async () => {
      const credits = await bank.store.accounts.transactions(ALICE.current, {
        creditDebitIndicator: 'Credit',
        pageSize: 100,
      });
      expect(credits.totalCount).toBeGreaterThan(0);
      expect(credits.transactions.every((t) => t.creditDebitIndicator === 'Credit')).toBe(true);
      const debits = await bank.store.accounts.transactions(ALICE.current, { creditDebitIndicator: 'Debit' });
      const all = await bank.store.accounts.transactions(ALICE.current);
      expect(credits.totalCount + debits.totalCount).toBe(all.totalCount);
    });

    it('refuses unparseable dates and bad paging', async () => {
      await expect(
        bank.store.accounts.transactions(ALICE.current, { fromBookingDateTime: 'yesterday' }),
      ).rejects.toThrow(InvalidQuery);
      await expect(bank.store.accounts.transactions(ALICE.current, { page: 0 })).rejects.toThrow(
        InvalidQuery,
      );
      await expect(bank.store.accounts.transactions(ALICE.current, { pageSize: 1000 })).rejects.toThrow(
        InvalidQuery,
      );
      await expect(bank.store.accounts.transactions(ALICE.current, { page: 1.5 })).rejects.toThrow(
        InvalidQuery,
      );
    });
  });

  describe('the shared file', () => {
    it('opens in WAL mode and a second connection sees the first one’s seed and writes', async () => {
      const second = await openBankStore(bank.location);
      try {
        expect((await second.customers.authenticate('bob', 'builder'))?.customerId).toBe(BOB.customerId);
        const consent = await bank.store.consents.createAccountAccess({
          clientId: 'c1',
          permissions: ['ReadBalances'],
        });
        expect((await second.consents.get(consent.consentId))?.status).toBe('AwaitingAuthorisation');
        const transactions = (await bank.store.accounts.transactions(ALICE.current)).totalCount;
        expect((await second.accounts.transactions(ALICE.current)).totalCount).toBe(transactions);
      } finally {
        await second.close();
      }
      if (second.engine === 'sqlite') expect(fs.existsSync(`${bank.location.file}-wal`)).toBe(true);
    });

    it('creates the folder of a new file', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-domain-dir-'));
      const store = await openBankStore({ file: path.join(dir, 'nested', 'bank', 'bank.sqlite') });
      expect(await store.accounts.listForCustomer(ALICE.customerId)).toHaveLength(2);
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
});
