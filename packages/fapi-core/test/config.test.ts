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
