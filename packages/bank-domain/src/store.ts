// Opens the bank's database (the SQLite file bank-op and bank-api share, or the PostgreSQL server
// DATABASE_URL names), brings its schema up to date, seeds it once, and hands out the repositories.
// Every method is asynchronous: the same code runs on both engines.
import { type Accounts, accountsRepository, ledger } from './accounts.js';
import { type Consents, consentsRepository } from './consents.js';
import { type Customers, customersRepository } from './customers.js';
import { type BankDb, type DatabaseLocation, type Engine, openDatabase } from './database.js';
import { type Idempotency, idempotencyRepository } from './idempotency.js';
import { migrateToLatest } from './migrations.js';
import { type Payments, paymentsRepository } from './payments.js';
import { seedBank, seedReferenceDate } from './seed.js';
import { type TokenRevocations, tokenRevocationsRepository } from './token-revocations.js';

export interface BankStoreOptions extends DatabaseLocation {
  /** The clock (tests move it to check expiry). */
  now?: () => Date;
  /** End of the seeded history (only read when the bank is first seeded); default: today, per `now`. */
  seedReferenceDate?: Date;
}

/** The bank's repositories over one connection or one transaction. */
export interface BankRepositories {
  customers: Customers;
  accounts: Accounts;
  consents: Consents;
  payments: Payments;
  revocations: TokenRevocations;
}

export interface BankStore extends BankRepositories {
  /** Runs a POST once per idempotency key; its `execute` writes through the repositories it is handed. */
  idempotency: Idempotency<BankRepositories>;
  engine: Engine;
  close(): Promise<void>;
}

function repositories(db: BankDb, engine: Engine, now: () => Date): BankRepositories {
  const shared = ledger(db, engine);
  return {
    customers: customersRepository(db),
    accounts: accountsRepository(db, shared, now),
    consents: consentsRepository(db, shared, now),
    payments: paymentsRepository(db, engine, now),
    revocations: tokenRevocationsRepository(db, now),
  };
}

export async function openBankStore(options: BankStoreOptions): Promise<BankStore> {
  const now = options.now ?? (() => new Date());
  const { db, engine } = openDatabase(options);
  try {
    await migrateToLatest(db, engine);
    await seedBank(db, options.seedReferenceDate ?? seedReferenceDate(now()));
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return {
    ...repositories(db, engine, now),
    idempotency: idempotencyRepository(db, (trx) => repositories(trx, engine, now), now),
    engine,
    close: () => db.destroy(),
  };
}
