// The TPP's database opened behind its back, the way the TPP opens it: the SQLite file in the data
// folder, or the PostgreSQL database FAPI_TPP_DATABASE_URL names (the hosted run, pnpm test:hosted).
// What a test reads or rewrites there, it does on the engine the TPP under test uses.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { type Db, openDatabase } from '../../src/store/database.js';

export async function withTppDatabase<T>(config: SandboxConfig, work: (db: Db) => Promise<T>): Promise<T> {
  const { db } = await openDatabase({ dataDir: config.dataDir, url: config.tppDatabaseUrl });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}
