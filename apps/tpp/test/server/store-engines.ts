// The TPP's store on both engines: a fresh SQLite data folder, or a fresh database on a real PostgreSQL
// server: the hosted run's (FAPI_TEST_STORAGE=postgres+redis starts one for the whole run), else one of
// this file's own from Debian's binaries. Without the binaries the PostgreSQL runs are skipped with a
// notice, unless CI=true or FAPI_TEST_POSTGRES=required (as in bank-domain's tests).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresBinDir } from '@fapi-sandbox/fapi-core/service-binaries';
import {
  freshPostgresDatabase,
  startTestPostgres,
  type TestPostgres,
} from '@fapi-sandbox/fapi-core/testing-postgres';
import type { TppDatabaseLocation } from '../../src/store/database.js';

export type Engine = 'sqlite' | 'postgres';

const required = process.env.CI === 'true' || process.env.FAPI_TEST_POSTGRES === 'required';
const hostedRunServer = process.env.FAPI_TEST_POSTGRES_URL;

/** The engines this run can test on. */
export const ENGINES: Engine[] =
  hostedRunServer || postgresBinDir() || required ? ['sqlite', 'postgres'] : ['sqlite'];
if (!ENGINES.includes('postgres')) {
  console.warn('tpp store: no PostgreSQL server binaries (apt-get install postgresql); its runs are skipped');
}

let ownServer: Promise<TestPostgres> | undefined;

/** The maintenance URL of the PostgreSQL server these tests use (started on first use). */
async function postgresServerUrl(): Promise<string> {
  if (hostedRunServer) return hostedRunServer;
  ownServer ??= startTestPostgres();
  return (await ownServer).url;
}

/** Stops the server this file started, if it did (afterAll). */
export async function stopOwnPostgres(): Promise<void> {
  if (ownServer) await (await ownServer).stop();
  ownServer = undefined;
}

/** Where a fresh TPP store lives on `engine`: a new data folder, and on PostgreSQL a new database. */
export async function freshTppLocation(engine: Engine): Promise<TppDatabaseLocation> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tpp-store-'));
  return engine === 'postgres'
    ? { dataDir, url: await freshPostgresDatabase(await postgresServerUrl()) }
    : { dataDir };
}
