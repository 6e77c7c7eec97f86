// The directory's store: one database (the SQLite file by default, PostgreSQL when
// FAPI_DIRECTORY_DATABASE_URL is set), one repository per table, and `transaction` so that every
// multi-step write happens entirely or not at all. Every method is asynchronous: the same code runs on
// both engines.
import { AsyncLocalStorage } from 'node:async_hooks';
import { certificatesRepository } from './certificates.js';
import { type DatabaseLocation, type DirectoryDb, openDirectoryDatabase } from './database.js';
import { developerTokensRepository } from './developer-tokens.js';
import { encryptionKeysRepository } from './encryption-keys.js';
import { migrateDirectory } from './migrations.js';
import { organisationsRepository } from './organisations.js';
import { rowLocks } from './row-locks.js';
import { settingsRepository } from './settings.js';
import { softwareStatementsRepository } from './software-statements.js';
import { ssaIssuancesRepository } from './ssa-issuances.js';

export type { DatabaseLocation };

export async function openDirectoryStore(location: DatabaseLocation) {
  const { db, engine } = openDirectoryDatabase(location);
  try {
    await migrateDirectory(db, engine);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  // Inside `transaction`, every repository call runs on that transaction, however deep in the domain
  // code it is made: a read that decides a write sees (and, on PostgreSQL, locks) what the write will
  // change, and on SQLite's one connection no query waits behind the transaction it belongs to.
  const current = new AsyncLocalStorage<DirectoryDb>();
  const use = () => current.getStore() ?? db;
  const locks = rowLocks(engine, use);
  return {
    organisations: organisationsRepository(use, locks),
    softwareStatements: softwareStatementsRepository(use, locks),
    certificates: certificatesRepository(use),
    ssaIssuances: ssaIssuancesRepository(use),
    settings: settingsRepository(use),
    developerTokens: developerTokensRepository(use),
    encryptionKeys: encryptionKeysRepository(use),
    engine,
    holdExclusively: locks.holdExclusively,
    /**
     * Runs `work` in one transaction: it commits when `work` resolves and rolls back when it throws.
     * Called inside another transaction, `work` joins it (a step of a larger write).
     */
    transaction<T>(work: () => Promise<T>): Promise<T> {
      if (current.getStore()) return work();
      return db.transaction().execute((trx) => current.run(trx, work));
    },
    close: (): Promise<void> => db.destroy(),
  };
}

export type DirectoryStore = Awaited<ReturnType<typeof openDirectoryStore>>;
