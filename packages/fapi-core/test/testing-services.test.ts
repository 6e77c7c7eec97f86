// The second storage setup of the integration suites: each isolated sandbox gets a PostgreSQL database
// and a Redis database of its own on the run's servers, and the embedded default gets neither.
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedConfig, removeTestData } from '../src/testing.js';
import { hostedStorageRequested, startHostedTestServices } from '../src/testing-services.js';

describe('FAPI_TEST_STORAGE', () => {
  it('is the embedded default unless postgres+redis is asked for, and refuses anything else', () => {
    expect(hostedStorageRequested({})).toBe(false);
    expect(hostedStorageRequested({ FAPI_TEST_STORAGE: 'embedded' })).toBe(false);
    expect(hostedStorageRequested({ FAPI_TEST_STORAGE: 'postgres+redis' })).toBe(true);
    expect(() => hostedStorageRequested({ FAPI_TEST_STORAGE: 'mysql' })).toThrow(
      /'embedded'.*'postgres\+redis'/,
    );
  });

  it('leaves an embedded sandbox without DATABASE_URL or REDIS_URL', async () => {
    const config = await isolatedConfig({
      ...process.env,
      FAPI_TEST_STORAGE: '',
      DATABASE_URL: '',
      REDIS_URL: '',
    });
    removeTestData(config);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
  });
});

describe('hosted storage for isolated sandboxes', () => {
  const saved = { ...process.env };
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    process.env.FAPI_TEST_STORAGE = 'postgres+redis';
    delete process.env.FAPI_TEST_POSTGRES_URL;
    delete process.env.FAPI_TEST_REDIS_URL;
    delete process.env.DATABASE_URL;
    delete process.env.FAPI_DIRECTORY_DATABASE_URL;
    delete process.env.FAPI_TPP_DATABASE_URL;
    delete process.env.REDIS_URL;
    stop = await startHostedTestServices();
  }, 60_000);
  afterAll(async () => {
    await stop?.();
    process.env = saved;
  });

  it('gives each sandbox its own PostgreSQL database and Redis database', async () => {
    const [a, b] = [await isolatedConfig(), await isolatedConfig()];
    removeTestData(a);
    removeTestData(b);
    expect(a.databaseUrl).toMatch(/^postgres:\/\//);
    expect(a.databaseUrl).not.toBe(b.databaseUrl);
    // Each party of a sandbox has its own database too.
    const partyDatabases = new Set([a.databaseUrl, a.directoryDatabaseUrl, a.tppDatabaseUrl]);
    expect(partyDatabases.size).toBe(3);
    expect(a.directoryDatabaseUrl).toMatch(/^postgres:\/\//);
    expect(a.tppDatabaseUrl).not.toBe(b.tppDatabaseUrl);
    expect(a.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/\d+$/);
    expect(a.redisUrl).not.toBe(b.redisUrl);

    // What one sandbox writes, the other does not see.
    const [redisA, redisB] = [new Redis(a.redisUrl!), new Redis(b.redisUrl!)];
    try {
      await redisA.set('fapi:bank-api:probe', 'a');
      expect(await redisB.get('fapi:bank-api:probe')).toBeNull();
    } finally {
      redisA.disconnect();
      redisB.disconnect();
    }
    const [pgA, pgB] = [new pg.Client(a.databaseUrl), new pg.Client(b.databaseUrl)];
    await Promise.all([pgA.connect(), pgB.connect()]);
    try {
      await pgA.query('CREATE TABLE probe (id int)');
      const { rows } = await pgB.query(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'probe'",
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await Promise.all([pgA.end(), pgB.end()]);
    }
  });

  it('keeps a REDIS_URL or DATABASE_URL the test set itself', async () => {
    const config = await isolatedConfig({ ...process.env, REDIS_URL: 'redis://127.0.0.1:1/3' });
    removeTestData(config);
    expect(config.redisUrl).toBe('redis://127.0.0.1:1/3');
    expect(config.databaseUrl).toMatch(/^postgres:\/\//);
  });
});
