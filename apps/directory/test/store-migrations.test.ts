// The schema is versioned migrations (Kysely's Migrator) applied at open: a data folder made before them,
// at any of the hand-numbered schema versions (user_version 1 to 3), is adopted with its rows and brought
// up to date; an up-to-date database is left alone; a database migrated by newer code is refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type DatabaseLocation, openDirectoryDatabase } from '../src/store/database.js';
import { openDirectoryStore } from '../src/store/index.js';
import { migrateDirectory, migrationNames } from '../src/store/migrations.js';
import { certificateRecordFor } from './fixtures/certificate-row.js';
import { ENGINES, openTestStore, type TestStore } from './store-helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The schema the directory created before migrations: version 3 (the fixture), or version 1, which had
 * no developer tokens or encryption keys, and certificates whose source was only pki or csr.
 */
function schemaBeforeMigrations(version: 1 | 3): string {
  const latest = fs.readFileSync(path.join(here, 'fixtures/directory-before-migrations.sql'), 'utf8');
  if (version === 3) return latest;
  return `${latest
    .replace(/CREATE TABLE developer_tokens[\s\S]*$/, '')
    .replace("'pki', 'csr', 'bundle'", "'pki', 'csr'")}
PRAGMA user_version = 1;`;
}

/** The migrations the database records as applied, read on a connection of the test's own. */
async function appliedMigrations(location: DatabaseLocation): Promise<string[]> {
  const { db } = openDirectoryDatabase(location);
  try {
    const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db);
    return applied.rows.map((row) => row.name);
  } finally {
    await db.destroy();
  }
}
let t: TestStore | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe.each([1, 3] as const)('a directory.sqlite made before migrations (schema version %i)', (version) => {
  it('is adopted with its rows: developer tokens, bundle certificates and encryption keys work after', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'directory-legacy-'));
    const file = path.join(dir, 'directory.sqlite');
    const legacy = new Database(file);
    legacy.exec(schemaBeforeMigrations(version));
    legacy.exec(`INSERT INTO organisations VALUES ('KeptLtd', 'Kept Ltd', 'suspended', 't0', 't1');
      INSERT INTO software_statements VALUES ('KeptApp', 'KeptLtd', 'Kept app', 'd', '1.0', '["AISP"]', '[]', NULL, 'active', 't0', 't0');
      INSERT INTO certificates VALUES ('0A', 'thumb-kept', 'KeptLtd', 'KeptApp', 'transport', 'CN=KeptApp', 'EC P-256', NULL, NULL,
        'nb', 'na', 'pem', 'csr', 't2', 'keyCompromise', 't0');
      INSERT INTO settings VALUES ('crl_number', '7');`);
    if (version === 3) {
      legacy.exec(`INSERT INTO encryption_keys VALUES ('kid-z', 'KeptApp', 'RSA-OAEP-256', '{"kid":"kid-z"}', 't3');
        INSERT INTO encryption_keys VALUES ('kid-a', 'KeptApp', 'ECDH-ES', '{"kid":"kid-a"}', 't3');`);
    }
    legacy.close();

    const store = await openDirectoryStore({ file });
    try {
      expect(await store.organisations.get('KeptLtd')).toMatchObject({
        orgName: 'Kept Ltd',
        status: 'suspended',
      });
      expect(await store.certificates.get('0A')).toMatchObject({
        revokedAt: 't2',
        revocationReason: 'keyCompromise',
      });
      expect(await store.settings.crlNumber()).toBe(7);
      if (version === 3) {
        // The order the bundle wrote them in (SQLite's rowid before) is kept.
        expect(await store.encryptionKeys.listFor('KeptApp')).toEqual([{ kid: 'kid-z' }, { kid: 'kid-a' }]);
      }
      // What schema versions 2 and 3 added.
      await store.developerTokens.insert({ tokenHash: 'a'.repeat(64), orgId: 'KeptLtd', createdAt: 't4' });
      expect(await store.developerTokens.orgIdOf('a'.repeat(64))).toBe('KeptLtd');
      await store.certificates.insert({
        ...certificateRecordFor('KeptLtd', 'KeptApp', '0B'),
        source: 'bundle',
      });
      expect((await store.certificates.get('0B'))?.source).toBe('bundle');
    } finally {
      await store.close();
    }
    expect(await appliedMigrations({ file })).toEqual(migrationNames('sqlite'));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe.each(ENGINES)('on %s', (engine) => {
  it('records every migration it applied, and applies nothing to an up-to-date database', async () => {
    t = await openTestStore(engine);
    await t.store.organisations.insert({
      orgId: 'OrgA',
      orgName: 'A',
      status: 'active',
      createdAt: 't0',
      updatedAt: 't0',
    });
    const { db } = openDirectoryDatabase(t.location);
    try {
      expect(await migrateDirectory(db, engine)).toEqual([]);
      const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(
        db,
      );
      expect(applied.rows.map((row) => row.name)).toEqual(migrationNames(engine));
    } finally {
      await db.destroy();
    }
    await t.store.close();
    t.store = await openDirectoryStore(t.location);
    expect((await t.store.organisations.get('OrgA'))?.orgName).toBe('A');
  });

  it('refuses a database migrated by newer code, naming the migration it does not know', async () => {
    t = await openTestStore(engine);
    const { db } = openDirectoryDatabase(t.location);
    try {
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-the-future', '2099-01-01')`.execute(
        db,
      );
    } finally {
      await db.destroy();
    }
    await expect(openDirectoryStore(t.location)).rejects.toThrow(
      /could not be migrated.*9999-from-the-future/s,
    );
  });
});
