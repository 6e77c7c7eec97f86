// `pnpm conformance`'s report: every module × variant of each plan gets a line, a module run by two
// suites (bank-op and bank-api) fails if either fails, and a run without a test is reported as missing.
import { describe, expect, it } from 'vitest';
import { FAPI1_ADVANCED, FAPI2_SECURITY_PROFILE } from '../../apps/bank-op/test/conformance/modules.js';
import { outcomesByRun, planReport } from '../src/conformance.js';

const HAPPY = 'fapi1-advanced-final';

describe('pnpm conformance report', () => {
  it('merges the bank-op and bank-api tests of one module and variant: failed if either failed', () => {
    const outcomes = outcomesByRun([
      { title: `${HAPPY} [private_key_jwt, mtls]: authorization server`, status: 'passed' },
      { title: `${HAPPY} [private_key_jwt, mtls]: resource server`, status: 'failed' },
      { title: `${HAPPY} [tls_client_auth, mtls]: authorization server`, status: 'passed' },
      { title: 'an ordinary test', status: 'failed' },
    ]);
    expect(outcomes.get(`${HAPPY} [private_key_jwt, mtls]`)).toBe('failed');
    expect(outcomes.get(`${HAPPY} [tls_client_auth, mtls]`)).toBe('passed');
    expect(outcomes.size).toBe(2);
  });

  it('prints module → variant → result, the reason a module does not apply, and a summary that counts missing tests', () => {
    const { lines, counts } = planReport(
      FAPI1_ADVANCED,
      outcomesByRun([{ title: `${HAPPY} [tls_client_auth, mtls]`, status: 'passed' }]),
    );
    expect(lines).toContain('  fapi1-advanced-final');
    expect(lines).toContain(`    ${'[tls_client_auth, mtls]'.padEnd(28)} passed`);
    expect(lines).toContain(`    ${'[private_key_jwt, mtls]'.padEnd(28)} missing`);
    expect(lines.join('\n')).toMatch(
      /brazil-ensure-encryption-required\n {4}not applicable: Open Finance Brazil/,
    );
    expect(counts).toMatchObject({ passed: 1, failed: 0, notApplicable: 2 });
    expect(counts.missing).toBe(117);
    expect(lines.at(-1)).toBe(
      'fapi1-advanced-final: 1 of 118 module × variant runs passed, 0 failed, 0 skipped, 117 without a test; 66 modules apply, 2 not applicable',
    );
  });

  it('runs a DPoP-only module in the DPoP variants alone, a private_key_jwt one in those alone', () => {
    const { lines } = planReport(FAPI2_SECURITY_PROFILE, new Map());
    const variantsOf = (suffix: string) => {
      const start = lines.indexOf(`  fapi2-security-profile-final-${suffix} (must reject)`);
      const end = lines.findIndex((line, at) => at > start && !line.startsWith('    ['));
      return lines.slice(start + 1, end);
    };
    expect(variantsOf('ensure-mismatched-dpop-jkt-fails').map((line) => line.trim().split(']')[0])).toEqual([
      '[private_key_jwt, dpop',
      '[tls_client_auth, dpop',
    ]);
    expect(variantsOf('par-test-array-as-audience-fails').map((line) => line.trim().split(']')[0])).toEqual([
      '[private_key_jwt, dpop',
      '[private_key_jwt, mtls',
    ]);
  });
});
