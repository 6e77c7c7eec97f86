// The directory's store: one SQLite file, one repository per table, and `transaction` so that every
// multi-step write happens entirely or not at all.
import { certificatesRepository } from './certificates.js';
import { openDatabase } from './database.js';
import { developerTokensRepository } from './developer-tokens.js';
import { encryptionKeysRepository } from './encryption-keys.js';
import { organisationsRepository } from './organisations.js';
import { settingsRepository } from './settings.js';
import { softwareStatementsRepository } from './software-statements.js';
import { ssaIssuancesRepository } from './ssa-issuances.js';

export function openDirectoryStore(file: string) {
  const db = openDatabase(file);
  return {
    organisations: organisationsRepository(db),
    softwareStatements: softwareStatementsRepository(db),
    certificates: certificatesRepository(db),
    ssaIssuances: ssaIssuancesRepository(db),
    settings: settingsRepository(db),
    developerTokens: developerTokensRepository(db),
    encryptionKeys: encryptionKeysRepository(db),
    /** Runs `work` in one SQLite transaction: it commits when `work` returns and rolls back when it throws. */
    transaction<T>(work: () => T): T {
      return db.transaction(work)();
    },
    close(): void {
      db.close();
    },
  };
}

export type DirectoryStore = ReturnType<typeof openDirectoryStore>;
