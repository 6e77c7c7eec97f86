import { describe, expect, it } from 'vitest';
import { environmentFor, loadConfig } from '../src/config.js';
import { isolatedConfig, removeTestData } from '../src/testing.js';

describe('environmentFor', () => {
  it('gives a child process the environment that reproduces the configuration', async () => {
    const config = await isolatedConfig();
    try {
      const child = loadConfig({ ...process.env, ...environmentFor(config) });
      expect(child.directory.mtls.origin).toBe(config.directory.mtls.origin);
      expect(child.bankOp.issuer).toBe(config.bankOp.issuer);
      expect(child.bankOp.mtls.origin).toBe(config.bankOp.mtls.origin);
      expect(child.bankApi.baseUrl).toBe(config.bankApi.baseUrl);
      expect(child.tpp.web.origin).toBe(config.tpp.web.origin);
      expect(child.dataDir).toBe(config.dataDir);
    } finally {
      removeTestData(config);
    }
  });
});

describe('DATABASE_URL', () => {
  it('is unset by default: the bank stays in its embedded SQLite file', () => {
    const { DATABASE_URL: _, ...env } = process.env;
    expect(loadConfig(env).databaseUrl).toBeUndefined();
    expect(loadConfig({ ...env, DATABASE_URL: '  ' }).databaseUrl).toBeUndefined();
  });

  it('names a PostgreSQL server, and reaches child processes', () => {
    const url = 'postgres://bank@127.0.0.1:5432/bank';
    const config = loadConfig({ ...process.env, DATABASE_URL: url });
    expect(config.databaseUrl).toBe(url);
    expect(environmentFor(config).DATABASE_URL).toBe(url);
  });

  it.each(['mysql://db/bank', 'sqlite:bank.sqlite', 'postgres:///'])(
    'refuses %s, naming the form it needs',
    (url) => {
      expect(() => loadConfig({ ...process.env, DATABASE_URL: url })).toThrow(
        /postgres:\/\/user:password@host/,
      );
    },
  );
});

describe('FAPI_DIRECTORY_DATABASE_URL and FAPI_TPP_DATABASE_URL', () => {
  it('give the directory and the TPP a database each, apart from the bank, and reach child processes', () => {
    const urls = {
      DATABASE_URL: 'postgres://bank@127.0.0.1:5432/bank',
      FAPI_DIRECTORY_DATABASE_URL: 'postgres://directory@127.0.0.1:5432/directory',
      FAPI_TPP_DATABASE_URL: 'postgres://tpp@127.0.0.1:5432/tpp',
    };
    const config = loadConfig({ ...process.env, ...urls });
    expect([config.databaseUrl, config.directoryDatabaseUrl, config.tppDatabaseUrl]).toEqual(
      Object.values(urls),
    );
    expect(environmentFor(config)).toMatchObject(urls);
  });

  it('refuses a URL that is not PostgreSQL, naming the variable and the party', () => {
    expect(() => loadConfig({ ...process.env, FAPI_TPP_DATABASE_URL: 'sqlite:tpp.sqlite' })).toThrow(
      /FAPI_TPP_DATABASE_URL must be a PostgreSQL URL.*keep the TPP in its embedded SQLite file/,
    );
  });
});

describe('one replica of several (pnpm dev --replicas N)', () => {
  it('binds ports of its own and keeps what a client sees: origins, issuer, audience', () => {
    const base = loadConfig({});
    const op = loadConfig({ FAPI_BANK_OP_REPLICA_PORT: '41001', FAPI_BANK_OP_MTLS_REPLICA_PORT: '41002' });
    expect([op.bankOp.web.port, op.bankOp.mtls.port]).toEqual([41001, 41002]);
    expect(op.bankOp.issuer).toBe(base.bankOp.issuer);
    expect(op.bankOp.web.origin).toBe(base.bankOp.web.origin);
    expect(op.bankOp.mtls.origin).toBe(base.bankOp.mtls.origin);
    expect(op.bankApi).toEqual(base.bankApi);

    const api = loadConfig({ FAPI_BANK_API_REPLICA_PORT: '41003' });
    expect(api.bankApi.web.port).toBe(41003);
    expect(api.bankApi.mtls).toBe(api.bankApi.web);
    expect(api.bankApi.baseUrl).toBe(base.bankApi.baseUrl);
    expect(api.bankOp).toEqual(base.bankOp);
  });

  it('refuses a bank-op replica without its mTLS port, and a port that is not one', () => {
    expect(() => loadConfig({ FAPI_BANK_OP_REPLICA_PORT: '41001' })).toThrow(
      /FAPI_BANK_OP_REPLICA_PORT needs FAPI_BANK_OP_MTLS_REPLICA_PORT/,
    );
    expect(() => loadConfig({ FAPI_BANK_API_REPLICA_PORT: 'ninety' })).toThrow(
      /FAPI_BANK_API_REPLICA_PORT=ninety is not a TCP port/,
    );
  });
});
