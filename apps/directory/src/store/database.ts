// Opens the directory's SQLite file (WAL, foreign keys on) and creates the schema on first use.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  let version = db.pragma('user_version', { simple: true }) as number;
  // A kept data folder of an older schema is migrated one version at a time, each step in one transaction.
  while (version > 0 && version < SCHEMA_VERSION && MIGRATIONS[version]) {
    const step = MIGRATIONS[version]!;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version + 1}`);
    })();
    version += 1;
  }
  if (version === 0) {
    db.transaction(() => {
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  } else if (version !== SCHEMA_VERSION) {
    db.close();
    throw new Error(
      `${file} has schema version ${version}, this directory expects ${SCHEMA_VERSION}. ` +
        'Reset the sandbox data (pnpm reset) to start from the seeded state.',
    );
  }
  return db;
}

/** True when SQLite refused a write because a primary key or unique column already holds the value. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
