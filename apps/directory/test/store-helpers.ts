// The directory's store on each engine the run offers: SQLite always, PostgreSQL when
// fapi-core/testing-postgres-setup started a server (each test gets a fresh database on it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from '@fapi-sandbox/fapi-core/sql-database';
import { freshPostgresDatabase } from '@fapi-sandbox/fapi-core/testing-postgres';
import type {} from '@fapi-sandbox/fapi-core/testing-postgres-setup';
import { inject } from 'vitest';
import type { Organisation, SoftwareStatement } from '../src/domain/model.js';
import { type DatabaseLocation, type DirectoryStore, openDirectoryStore } from '../src/store/index.js';

export const ENGINES: Engine[] = inject('postgresUrl') ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestStore {
  store: DirectoryStore;
  /** Where it lives: open a second store there to play a second replica (PostgreSQL). */
  location: DatabaseLocation;
  cleanup(): Promise<void>;
}

/** A fresh, empty directory store (its own SQLite file, or its own PostgreSQL database). */
export async function openTestStore(engine: Engine): Promise<TestStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'directory-store-test-'));
  const file = path.join(dir, 'directory', 'directory.sqlite');
  const postgres = inject('postgresUrl');
  const location: DatabaseLocation =
    engine === 'postgres' && postgres ? { file, url: await freshPostgresDatabase(postgres) } : { file };
  const store = await openDirectoryStore(location);
  return {
    store,
    location,
    async cleanup() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const at = '2025-07-01T10:00:00.000Z';

export const organisation = (orgId: string): Organisation => ({
  orgId,
  orgName: `${orgId} Ltd`,
  status: 'active',
  createdAt: at,
  updatedAt: at,
});

export const softwareStatement = (orgId: string, softwareId: string): SoftwareStatement => ({
  softwareId,
  orgId,
  clientName: `${softwareId} app`,
  description: 'test software',
  version: '1.0',
  roles: ['AISP'],
  redirectUris: ['https://tpp.example/cb'],
  logoUri: null,
  status: 'active',
  createdAt: at,
  updatedAt: at,
});
