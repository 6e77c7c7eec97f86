import { createHash, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import { loadConfig } from '@fapi-sandbox/fapi-core/config';
import { describe, expect, it } from 'vitest';
import { chromiumTrustArgs, sandboxServerSpkiHashes } from '../src/browser-trust.js';

const config = loadConfig();

describe('browser trust (Chromium --ignore-certificate-errors-spki-list)', () => {
  it('lists the SPKI hash of each party server key, derived here from the private keys', () => {
    const fromKeys = [config.directory, config.bankOp, config.bankApi, config.tpp].map((party) => {
      const spki = createPublicKey(fs.readFileSync(party.serverKey)).export({ type: 'spki', format: 'der' });
      return createHash('sha256').update(spki).digest('base64');
    });
    expect(sandboxServerSpkiHashes(config)).toEqual(fromKeys);
    expect(new Set(fromKeys).size).toBe(4);
  });

  it('trusts nothing else: no CA, no participant key', () => {
    const [flag] = chromiumTrustArgs(config);
    const transportSpki = createPublicKey(fs.readFileSync(config.participants.demo.transportKey)).export({
      type: 'spki',
      format: 'der',
    });
    expect(flag).toMatch(/^--ignore-certificate-errors-spki-list=[A-Za-z0-9+/=,]+$/);
    expect(flag).not.toContain(createHash('sha256').update(transportSpki).digest('base64'));
    expect(flag!.slice(flag!.indexOf('=') + 1).split(',')).toHaveLength(4);
  });
});
