// The rule catalogue links each posture rule to the conformance modules that exercise it: every id a rule
// names is a module of one of the plans, and every module that applies to the bank is linked to at least
// one rule, or listed below as checking the flow as a whole (a tolerance, or another party's rule).
import { describe, expect, it } from 'vitest';
import { ecosystemRules, profiles } from '../../src/profiles/index.js';
import { moduleById, PLANS, variantsOf } from './modules.js';

/** Modules that test no single posture rule of bank-op, and why. */
export const FLOW_AS_A_WHOLE: Readonly<Record<string, string>> = {
  'fapi2-security-profile-final-ensure-authorization-request-without-state-success':
    'state is optional (RFC 6749 §4.1.1): the module checks that the flow works without it',
  'fapi2-security-profile-final-ensure-authorization-request-without-nonce-success':
    'nonce is optional in a FAPI 2.0 code flow (OIDC Core §3.1.2.1): the flow works without it',
  'fapi2-security-profile-final-ensure-other-scope-order-succeeds':
    'scope values are unordered (RFC 6749 §3.3): a tolerance of the whole flow',
  'fapi1-advanced-final-ensure-other-scope-order-succeeds':
    'scope values are unordered (RFC 6749 §3.3): a tolerance of the whole flow',
  'fapi2-security-profile-final-ensure-authorization-request-with-long-state':
    'a 1000-character state comes back whole: a tolerance of the whole flow',
  'fapi1-advanced-final-ensure-request-object-with-long-state':
    'a 1000-character state comes back whole: a tolerance of the whole flow',
  'fapi1-advanced-final-ensure-request-object-with-long-nonce':
    'a 384-character nonce comes back whole: FAPI 1.0 sets no nonce length, a tolerance of the whole flow',
  'fapi1-advanced-final-ensure-request-object-with-64-char-nonce-success':
    'a 64-character nonce comes back whole: FAPI 1.0 sets no nonce length, a tolerance of the whole flow',
  'fapi2-security-profile-final-access-token-type-header-case-sensitivity':
    "bank-api's rule (RFC 9110 §11.1, the scheme is case-insensitive), in its pipeline, not bank-op's posture",
  'fapi1-advanced-final-access-token-type-header-case-sensitivity':
    "bank-api's rule (RFC 9110 §11.1, the scheme is case-insensitive), in its pipeline, not bank-op's posture",
  'fapi2-security-profile-final-par-attempt-invalid-http-method':
    "RFC 9126 §2.1 (PAR is POST only): bank-op's HTTP layer answers 405 with Allow: POST",
  'fapi1-advanced-final-par-attempt-invalid-http-method':
    "RFC 9126 §2.1 (PAR is POST only): bank-op's HTTP layer answers 405 with Allow: POST",
};

const rules = [...Object.values(profiles).flatMap((profile) => profile.rules), ...ecosystemRules];

describe('the rule catalogue and the conformance modules', () => {
  it('names only modules of the FAPI 2.0 SP and FAPI 1.0 Advanced plans, each applying to the bank', () => {
    const named = rules.flatMap((rule) => (rule.conformance ?? []).map((id) => ({ rule: rule.id, id })));
    expect(named.length).toBeGreaterThan(100);
    const unknown = named.filter(({ id }) => {
      const found = moduleById(id);
      return !found || variantsOf(found.plan, found.module).length === 0;
    });
    expect(unknown).toEqual([]);
  });

  it('links every module that applies to a rule, or says why it checks the flow as a whole', () => {
    const linked = new Set(rules.flatMap((rule) => rule.conformance ?? []));
    const unlinked = PLANS.flatMap((plan) =>
      plan.modules
        .filter((module) => variantsOf(plan, module).length > 0)
        .map((module) => module.id)
        .filter((id) => !linked.has(id) && !(id in FLOW_AS_A_WHOLE)),
    );
    expect(unlinked).toEqual([]);
  });

  it('lists as whole-flow only modules no rule names', () => {
    const linked = new Set(rules.flatMap((rule) => rule.conformance ?? []));
    expect(Object.keys(FLOW_AS_A_WHOLE).filter((id) => linked.has(id) || !moduleById(id))).toEqual([]);
  });

  it("links a FAPI 2.0 rule only to FAPI 2.0 modules and a FAPI 1.0 rule only to FAPI 1.0's", () => {
    for (const profile of Object.values(profiles)) {
      const plan = profile.id === 'fapi2' ? 'fapi2-security-profile-final' : 'fapi1-advanced-final';
      const foreign = profile.rules.flatMap((rule) =>
        (rule.conformance ?? []).filter((id) => moduleById(id)?.plan.id !== plan),
      );
      expect(foreign, profile.id).toEqual([]);
    }
  });
});
