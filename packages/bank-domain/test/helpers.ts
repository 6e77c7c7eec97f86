import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BankStore, type DomesticPaymentInitiation, openBankStore } from '../src/index.js';

export interface TestBank {
  store: BankStore;
  file: string;
  clock: { now: Date; advance(ms: number): void };
  cleanup(): void;
}

/** A fresh seeded bank in a temporary folder, with a clock the test moves. */
export function openTestBank(start = new Date('2025-07-01T10:00:00.000Z')): TestBank {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-domain-test-'));
  const file = path.join(dir, 'bank', 'bank.sqlite');
  const clock = {
    now: start,
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  const store = openBankStore({ file, now: () => clock.now });
  return {
    store,
    file,
    clock,
    cleanup() {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

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
