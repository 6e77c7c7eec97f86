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
