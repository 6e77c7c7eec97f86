import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RawBuilder, sql } from 'kysely';
import { type BankDb, type DatabaseLocation, openDatabase } from '../src/database.js';
import { type BankStore, type DomesticPaymentInitiation, openBankStore } from '../src/index.js';

export interface TestBank {
  store: BankStore;
  /** Where the bank lives: pass it to openBankStore to open a second store (a second process's view). */
  location: DatabaseLocation;
  /** A connection of the test's own, beside the store's: what another process would read. */
  probe: BankDb;
  clock: { now: Date; advance(ms: number): void };
  cleanup(): Promise<void>;
}

/** How a test gets a database: a fresh SQLite file, or a fresh database on the test PostgreSQL. */
export type Engine = 'sqlite' | 'postgres';

/** A fresh seeded bank (its own file or database), with a clock the test moves. */
export async function openTestBank(
  start = new Date('2025-07-01T10:00:00.000Z'),
  location?: DatabaseLocation,
): Promise<TestBank> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-domain-test-'));
  const where = location ?? { file: path.join(dir, 'bank', 'bank.sqlite') };
  const clock = {
    now: start,
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  const store = await openBankStore({ ...where, now: () => clock.now });
  const probe = openDatabase(where).db;
  return {
    store,
    location: where,
    probe,
    clock,
    async cleanup() {
      await Promise.all([store.close(), probe.destroy()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One number from a raw query on the probe connection (COUNT(*) and the like). */
export async function scalar(bank: TestBank, query: RawBuilder<unknown>): Promise<number> {
  const { rows } = await query.execute(bank.probe);
  return Number(Object.values(rows[0] as Record<string, unknown>)[0]);
}

export { sql };

export const ALICE = { customerId: 'cust-alice', current: '70000101', savings: '70000102' };
export const BOB = { customerId: 'cust-bob', current: '70000201', savings: '70000202' };
export const MONEYWISE = 'client-moneywise';
export const BUDGETLY = 'client-budgetly';

export function initiation(overrides: Partial<DomesticPaymentInitiation> = {}): DomesticPaymentInitiation {
  return {
    instructionIdentification: 'INSTR-0001',
    endToEndIdentification: 'E2E-0001',
    instructedAmount: { amountMinor: 2_550, currency: 'GBP' },
    creditorAccount: {
      schemeName: 'UK.OBIE.SortCodeAccountNumber',
      identification: '08080021325698',
      name: 'ACME Plumbing Ltd',
    },
    remittanceInformation: { reference: 'INV-2291', unstructured: 'Boiler service' },
    ...overrides,
  };
}

export const RISK = { PaymentContextCode: 'BillPayment' };
