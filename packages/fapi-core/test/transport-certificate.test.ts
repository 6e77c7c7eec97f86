// The rule bank-op (registration, token binding) and bank-api (binding) share: the directory's record shows
// an active transport certificate of the expected organisation and software.
import { describe, expect, it } from 'vitest';
import { transportCertificateMismatch } from '../src/transport-certificate.js';

const expected = { orgId: 'org-1', softwareId: 'sw-1' };

describe('transportCertificateMismatch', () => {
  it('accepts an active transport certificate of the same software', () => {
    const record = { status: 'active', type: 'transport', ...expected } as const;
    expect(transportCertificateMismatch(record, expected)).toBeUndefined();
  });

  it("refuses another software's transport certificate, naming both", () => {
    const record = { status: 'active', type: 'transport', orgId: 'org-2', softwareId: 'sw-2' } as const;
    expect(transportCertificateMismatch(record, expected)).toBe(
      'The directory knows this certificate as a transport certificate of org-2/sw-2, not as a transport certificate of org-1/sw-1',
    );
  });

  it('refuses a signing certificate of the same software', () => {
    const record = { status: 'active', type: 'signing', ...expected } as const;
    expect(transportCertificateMismatch(record, expected)).toMatch(/as a signing certificate of org-1\/sw-1/);
  });

  it('refuses a revoked, expired or unknown certificate, and one the directory was not asked about', () => {
    for (const status of ['revoked', 'expired', 'unknown'] as const) {
      expect(transportCertificateMismatch({ status, type: 'transport', ...expected }, expected)).toBe(
        `The directory reports the transport certificate as ${status}`,
      );
    }
    expect(transportCertificateMismatch(undefined, expected)).toMatch(/as unknown$/);
  });
});
