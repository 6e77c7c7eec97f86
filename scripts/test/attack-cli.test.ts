// `pnpm attack`'s output for a projector: the list, an attack refused as expected, and an attack that got
// through, which must be impossible to miss. (The attacks themselves run in attacks.test.ts.)
import { ATTACKS, type AttackOutcome, attackById, FLOW_VARIANTS } from '@fapi-sandbox/fapi-client';
import { describe, expect, it } from 'vitest';
import { formatList, formatOutcome, variantsFor } from '../src/attack.js';

const codeReuse = attackById('code-reuse')!;
const dpop = FLOW_VARIANTS.find((variant) => variant.id === 'fapi2-dpop')!;

function outcome(found: Partial<AttackOutcome>): AttackOutcome {
  return {
    attack: 'code-reuse',
    profile: 'fapi2-dpop',
    refused: false,
    changes: ['code: the one already redeemed'],
    expected: codeReuse.refusals['fapi2-dpop']!,
    matched: false,
    mismatches: [],
    ...found,
  };
}

describe('pnpm attack', () => {
  it('--list shows every attack with its message, profiles and title, one per line', () => {
    const list = formatList();
    for (const attack of ATTACKS) {
      expect(list).toMatch(
        new RegExp(`^${attack.id} +${attack.message} +${attack.profiles.join(', ')} +`, 'm'),
      );
    }
    expect(list).toContain(`${ATTACKS.length} attacks`);
  });

  it('shows the request, the bent part, the refusal and the explanation, without JSON', () => {
    const text = formatOutcome(
      codeReuse,
      dpop,
      outcome({
        refused: true,
        by: 'bank-op',
        status: 400,
        error: 'invalid_grant',
        errorDescription: 'authorization code already consumed (RFC 6749 section 4.1.2). Fix: redeem once.',
        clause: 'RFC 6749 §4.1.2',
        sent: { method: 'POST', url: 'https://bank.localhost:9443/token', headers: {} },
        matched: true,
      }),
    );
    expect(text).toContain('POST https://bank.localhost:9443/token');
    expect(text).toContain('bent      code: the one already redeemed');
    expect(text).toContain('by bank-op · 400 invalid_grant');
    expect(text).toContain(`without this rule, ${codeReuse.threat}`);
    expect(text).toContain('✓ refused as expected');
    expect(text).not.toMatch(/[{}]/);
  });

  it('says loudly when an attack got through', () => {
    expect(formatOutcome(codeReuse, dpop, outcome({ mismatches: ['NOT REFUSED'] }))).toMatch(
      /NOT REFUSED.*hole/,
    );
  });

  it('runs every profile an attack applies to, and explains a profile it does not apply to', () => {
    // FAPI 2.0 + DPoP, + mTLS, FAPI 1.0 Advanced, Baseline, and FAPI 2.0 + DPoP with opaque access tokens.
    expect(variantsFor(codeReuse, undefined)).toHaveLength(5);
    // FAPI 1.0 Baseline runs the attacks it lets through as taught, and says why it skips the others.
    expect(variantsFor(attackById('token-without-binding')!, 'fapi1-baseline')).toHaveLength(1);
    expect(variantsFor(attackById('jarm-tampered')!, 'fapi1-baseline')).toMatch(/does not apply.*JARM/);
    expect(variantsFor(attackById('jarm-tampered')!, 'fapi2-dpop')).toMatch(/does not apply.*JARM/);
    expect(variantsFor(codeReuse, 'fapi3')).toMatch(/unknown profile/);
  });
});
