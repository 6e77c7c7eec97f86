// The registration store across TPP versions: a store written before metadata versions were kept opens,
// gains the column, and its rows read as "no version" (so onboarding registers them again).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { createRegistrationStore } from '../../src/store/registrations.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tpp-store-'));
  dirs.push(dir);
  return dir;
}

describe('registration store', () => {
  it('opens a store from before metadata versions: the column is added and old rows have none', async () => {
    const dataDir = tempDataDir();
    fs.mkdirSync(path.join(dataDir, 'tpp'));
    const old = new Database(path.join(dataDir, 'tpp', 'tpp.sqlite'));
    old.exec(`CREATE TABLE registrations (
      registration_key TEXT PRIMARY KEY, profile TEXT NOT NULL, client_auth TEXT NOT NULL, client_id TEXT NOT NULL,
      registration_access_token TEXT, registration_client_uri TEXT, metadata_json TEXT NOT NULL, registered_at TEXT NOT NULL)`);
    old
      .prepare('INSERT INTO registrations VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(
        'fapi1-advanced+tls_client_auth',
        'fapi1-advanced',
        'tls_client_auth',
        'old-client',
        'rat',
        'https://x/register/old-client',
        '{}',
        '2025-01-01T00:00:00Z',
      );
    old.close();

    const { db } = await openDatabase({ dataDir });
    const store = createRegistrationStore(db);
    expect(await store.get('fapi1-advanced', 'tls_client_auth')).toMatchObject({
      clientId: 'old-client',
      metadataVersion: undefined,
    });
    await store.save({
      profile: 'fapi1-advanced',
      clientAuth: 'tls_client_auth',
      clientId: 'new-client',
      metadata: { fapi_profile: 'fapi1-advanced' },
      metadataVersion: 'v2',
      registeredAt: '2025-06-30T00:00:00Z',
    });
    expect(await store.get('fapi1-advanced', 'tls_client_auth')).toMatchObject({
      clientId: 'new-client',
      metadataVersion: 'v2',
    });
    await db.destroy();
    // Opening again (the column now exists) changes nothing.
    const { db: again } = await openDatabase({ dataDir });
    expect(await createRegistrationStore(again).list()).toHaveLength(1);
    await again.destroy();
  });
});
