// The integration suites' second storage setup: with FAPI_TEST_STORAGE=postgres+redis, a suite's global
// setup starts one real PostgreSQL server and one real redis-server, and every isolated configuration
// (testing.ts) then gets a database of its own on the first (DATABASE_URL) and a logical database of its
// own on the second (REDIS_URL …/<n>), so sandboxes running side by side never read each other's state.
// The embedded default (SQLite, state in each process) needs none of this and stays the first run.

import { Redis } from 'ioredis';
import { freshPostgresDatabase, startTestPostgres } from './testing-postgres.js';
import { startRedisServer } from './testing-redis.js';

export const STORAGE_VARIABLE = 'FAPI_TEST_STORAGE';
export const HOSTED_STORAGE = 'postgres+redis';
/** Set by the global setup for the test workers: the servers' maintenance URLs. */
const POSTGRES_VARIABLE = 'FAPI_TEST_POSTGRES_URL';
const REDIS_VARIABLE = 'FAPI_TEST_REDIS_URL';

const PARTY_DATABASE_VARIABLES = ['DATABASE_URL', 'FAPI_DIRECTORY_DATABASE_URL', 'FAPI_TPP_DATABASE_URL'];
/** Logical databases the test redis-server offers: one per sandbox a run starts, with room to spare. */
const REDIS_DATABASES = 4096;
/** Redis database 0 holds only the counter that hands out the others. */
const NEXT_DATABASE_KEY = 'fapi-test:next-database';

export function hostedStorageRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const wanted = env[STORAGE_VARIABLE];
  if (wanted === undefined || wanted === '' || wanted === 'embedded') return false;
  if (wanted === HOSTED_STORAGE) return true;
  throw new Error(
    `${STORAGE_VARIABLE} must be 'embedded' (the default) or '${HOSTED_STORAGE}', not '${wanted}'`,
  );
}

/**
 * Vitest global setup (a suite's vitest.config.ts names it): starts the servers when the hosted storage
 * is asked for and hands their URLs to the workers through the environment; returns the teardown.
 */
export async function startHostedTestServices(): Promise<(() => Promise<void>) | undefined> {
  if (!hostedStorageRequested()) return undefined;
  // Another suite's setup in this run already started them: share.
  if (process.env[POSTGRES_VARIABLE] && process.env[REDIS_VARIABLE]) return undefined;
  const [postgres, redis] = await Promise.all([
    startTestPostgres(),
    startRedisServer(process.env, { databases: REDIS_DATABASES }),
  ]);
  process.env[POSTGRES_VARIABLE] = postgres.url;
  process.env[REDIS_VARIABLE] = redis.url;
  return async () => {
    await Promise.all([postgres.stop(), redis.stop()]);
  };
}

/**
 * The parties' database URLs and REDIS_URL for one more isolated sandbox, or nothing on the embedded default. A
 * variable the caller's environment already sets (a test of its own Redis, say) is left to it.
 */
export async function hostedStorageFor(env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const postgresUrl = env[POSTGRES_VARIABLE];
  const redisUrl = env[REDIS_VARIABLE];
  if (!hostedStorageRequested(env) || !postgresUrl || !redisUrl) return {};
  const overrides: Record<string, string> = {};
  // A database per party, as a hosted sandbox has (config.ts): the bank's, the directory's, the TPP's.
  for (const variable of PARTY_DATABASE_VARIABLES) {
    if (!env[variable]) overrides[variable] = await freshPostgresDatabase(postgresUrl);
  }
  if (!env.REDIS_URL) overrides.REDIS_URL = `${redisUrl}/${await freshRedisDatabase(redisUrl)}`;
  return overrides;
}

/** A number no other sandbox of this run has had (every worker asks the same counter). */
async function freshRedisDatabase(url: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const next = await redis.incr(NEXT_DATABASE_KEY);
    if (next >= REDIS_DATABASES) {
      throw new Error(`the test redis-server has no logical database left (${REDIS_DATABASES} handed out)`);
    }
    return next;
  } finally {
    redis.disconnect();
  }
}
