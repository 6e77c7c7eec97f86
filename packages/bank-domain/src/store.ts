// Opens the bank's SQLite file (shared by bank-op and bank-api: two processes, one file) and hands
// out the repositories. WAL lets readers run beside the one writer; busy_timeout makes a writer wait
// for the other process's lock instead of failing.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type Accounts, accountsRepository, ledger } from './accounts.js';
import { type Consents, consentsRepository } from './consents.js';
import { type Customers, customersRepository } from './customers.js';
import { type Idempotency, idempotencyRepository } from './idempotency.js';
import { type Payments, paymentsRepository } from './payments.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';
import { seedBank, seedReferenceDate } from './seed.js';
import { type TokenRevocations, tokenRevocationsRepository } from './token-revocations.js';

export interface BankStoreOptions {
  /** `path.join(config.dataDir, 'bank', 'bank.sqlite')`; its folder is created if missing. */
  file: string;
  /** The clock (tests move it to check expiry). */
  now?: () => Date;
  /** End of the seeded history (only read when the file is first created); default: today, per `now`. */
  seedReferenceDate?: Date;
  /** How long a writer waits for the other process's lock, in ms. */
  busyTimeoutMs?: number;
}

export interface BankStore {
  customers: Customers;
  accounts: Accounts;
  consents: Consents;
  payments: Payments;
  idempotency: Idempotency;
  revocations: TokenRevocations;
  close(): void;
}

export function openBankStore(options: BankStoreOptions): BankStore {
  const now = options.now ?? (() => new Date());
  fs.mkdirSync(path.dirname(options.file), { recursive: true });
  const db = new Database(options.file);
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    createAndSeed(db, options.seedReferenceDate ?? seedReferenceDate(now()));
  } catch (err) {
    db.close();
    throw err;
  }

  const shared = ledger(db);
  const consents = consentsRepository(db, shared, now);
  return {
    customers: customersRepository(db),
    accounts: accountsRepository(db, now),
    consents,
    payments: paymentsRepository(db, shared, consents, now),
    idempotency: idempotencyRepository(db, now),
    revocations: tokenRevocationsRepository(db, now),
    close: () => db.close(),
  };
}

function createAndSeed(db: Database.Database, referenceDate: Date): void {
  // IMMEDIATE: the second process to open a fresh file waits here, then finds it seeded.
  db.transaction(() => {
    db.exec(SCHEMA);
    const version = db
      .prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'")
      .get();
    if (version) {
      if (Number(version.value) !== SCHEMA_VERSION) {
        throw new Error(
          `The bank database has schema version ${version.value}; this code expects ${SCHEMA_VERSION}. Reset the sandbox data: pnpm reset`,
        );
      }
      return;
    }
    seedBank(db, referenceDate);
    const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    setMeta.run('schema_version', String(SCHEMA_VERSION));
    setMeta.run('seed_reference_date', referenceDate.toISOString());
  }).immediate();
}
