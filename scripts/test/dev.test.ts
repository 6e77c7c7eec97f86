import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '@fapi-sandbox/fapi-core/config';
import { describe, expect, it } from 'vitest';
import { demoCustomers } from '../src/dev/demo-customers.js';
import { startableParties } from '../src/dev/parties.js';
import { renderReadyTable } from '../src/dev/ready-table.js';

const config = loadConfig({ ...process.env, FAPI_TPP_PORT: '17443' });

describe('pnpm dev', () => {
  it('starts every party from its own entry point and waits on its health endpoint', () => {
    const parties = startableParties(config);
    expect(parties.map((p) => p.party.name)).toEqual(['directory', 'bank-op', 'bank-api', 'tpp']);
    for (const { dir, healthUrl, party } of parties) {
      expect(fs.existsSync(path.join(dir, 'src', 'main.ts')), dir).toBe(true);
      expect(healthUrl).toBe(`${party.web.origin}/health`);
    }
    expect(parties.at(-1)?.healthUrl).toBe('https://tpp.localhost:17443/health');
  });

  it('prints where each party is, the demo customers, the admin credential and where to start', () => {
    const table = renderReadyTable(config, {
      startupMs: 4321,
      perPartyMs: { directory: 3100, 'bank-op': 3600, 'bank-api': 2900, tpp: 4200 },
      adminCredential: 'admin-secret',
      demoCustomers: demoCustomers(),
    });
    expect(table).toContain('FAPI Sandbox is ready in 4.3 s.');
    expect(table).toMatch(
      /bank-op\s+https:\/\/bank\.localhost:9443\s+https:\/\/mtls\.bank\.localhost:9444\s+3\.6 s/,
    );
    expect(table).toContain('Directory admin credential: admin-secret');
    expect(table).toContain('Start here: https://tpp.localhost:17443');
    for (const customer of demoCustomers()) {
      expect(table).toMatch(new RegExp(`${customer.username}\\s+${customer.password}`));
    }
  });

  it('says so when no admin credential was found', () => {
    const table = renderReadyTable(config, {
      startupMs: 1,
      perPartyMs: {},
      adminCredential: undefined,
      demoCustomers: [],
    });
    expect(table).toContain('Directory admin credential: (not found)');
    expect(table).toContain('(none seeded)');
  });
});
