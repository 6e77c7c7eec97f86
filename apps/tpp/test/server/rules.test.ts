// GET /api/rules against the real directory, bank-op and bank-api: both banks' published rules, joined
// with the attack lab's catalogue (which attacks demonstrate each rule, under which profiles), rules no
// attack demonstrates flagged and counted, and a bank that does not answer reported as a 502 naming it.
import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { ATTACKS } from '@fapi-sandbox/fapi-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../src/shared/api.js';
import type { RuleCatalogue, RuleSectionId, RuleView } from '../../src/shared/rules.js';
import { type Party, type Sandbox, startSandbox } from './harness.js';

let sandbox: Sandbox;
let bankApi: Party;
let catalogue: RuleCatalogue;

beforeAll(async () => {
  sandbox = await startSandbox({
    bank: async (config) => {
      const op = await startBankOp({ config });
      const api = await startBankApi({ config });
      // Stopped by the last test; stopping again at the end is a no-op.
      let stopped: Promise<void> | undefined;
      bankApi = { stop: () => (stopped ??= api.stop()) };
      return [bankApi, op];
    },
  });
  const response = await sandbox.browser.api('/rules');
  expect(response.status, response.text).toBe(200);
  catalogue = response.body as RuleCatalogue;
});
afterAll(async () => {
  await sandbox?.close();
});

function rule(section: RuleSectionId, id: string): RuleView {
  const found = catalogue.sections.find((s) => s.id === section)?.rules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id} in ${section}`);
  return found;
}

describe('GET /api/rules: the rule catalogue', () => {
  it('lists bank-op’s rules profile by profile, bank-api’s pipeline and Moneywise’s own checks', () => {
    expect(catalogue.sections.map((s) => [s.id, s.party])).toEqual([
      ['fapi2', 'bank-op'],
      ['fapi1-advanced', 'bank-op'],
      ['fapi1-baseline', 'bank-op'],
      ['ecosystem', 'bank-op'],
      ['bank-api', 'bank-api'],
      ['tpp', 'tpp'],
    ]);
    expect(rule('fapi2', 'code-single-use')).toMatchObject({
      ref: 'bank-op:code-single-use',
      clause: expect.stringMatching(/RFC 6749/),
      requirement: expect.any(String),
      enforcedBy: expect.stringMatching(/oidc-provider|bank-op/),
      fix: expect.any(String),
    });
    expect(rule('fapi2', 'discovery').conformance).toEqual([
      'fapi2-security-profile-final-discovery-end-point-verification',
    ]);
    const binding = catalogue.sections.find((s) => s.id === 'bank-api')!.rules[3]!;
    expect(binding).toMatchObject({
      id: 'Binding: token cnf matches the proof key or certificate',
      requirement: 'token cnf matches the proof key or certificate',
      enforcedBy: 'bank-api pipeline, check 4 (src/pipeline.ts)',
    });
  });

  it('joins the attacks that demonstrate each rule, under the profiles each attack applies to', () => {
    expect(rule('fapi2', 'code-single-use').attacks).toContain('code-reuse');
    expect(rule('fapi1-advanced', 'code-single-use').attacks).toContain('code-reuse');
    expect(rule('ecosystem', 'participant-status').attacks).toContain('software-suspended');
    expect(rule('bank-api', 'Binding: token cnf matches the proof key or certificate').attacks).toContain(
      'dpop-other-key',
    );
    expect(rule('tpp', 'state matches the request').attacks).toEqual(['state-swapped']);
    // A FAPI 1.0 Advanced attack (a request object) demonstrates no FAPI 2.0 rule.
    const fapi1Only = ATTACKS.filter((a) => a.profiles.every((p) => p === 'fapi1-advanced')).map((a) => a.id);
    expect(fapi1Only).toContain('request-object-tampered');
    const fapi2 = catalogue.sections.find((s) => s.id === 'fapi2')!.rules;
    for (const r of fapi2) {
      for (const attack of r.attacks) {
        expect(fapi1Only, `${attack} under fapi2 rule ${r.id}`).not.toContain(attack);
      }
    }
    // Every rule an attack names is found in the catalogue.
    const refs = new Set(catalogue.sections.flatMap((s) => s.rules.map((r) => r.ref)));
    for (const attack of ATTACKS) for (const ref of attack.rules) expect(refs, attack.id).toContain(ref);
  });

  it('flags the rules no attack demonstrates yet, and counts them', () => {
    const rules = catalogue.sections.flatMap((s) => s.rules);
    expect(rule('fapi2', 'no-password-grant').attacks).toEqual([]);
    expect(catalogue.counts).toEqual({
      rules: rules.length,
      withAttack: rules.filter((r) => r.attacks.length > 0).length,
    });
    expect(catalogue.counts.withAttack).toBeGreaterThan(10);
    expect(catalogue.counts.withAttack).toBeLessThan(catalogue.counts.rules);
  });

  it('describes each attack: its threat and, per profile, who refuses it, or why it does not apply', () => {
    expect(catalogue.attacks.map((a) => a.id)).toEqual(ATTACKS.map((a) => a.id));
    expect(catalogue.attacks.find((a) => a.id === 'request-object-unsigned')).toMatchObject({
      threat: expect.stringMatching(/\w+ \w+/),
      refusals: [
        {
          profile: 'fapi1-advanced',
          party: 'bank-op',
          status: 400,
          error: 'invalid_request_object',
          clause: 'FAPI 1.0 Adv §8.6-1',
        },
      ],
      notApplicable: [
        { profile: 'fapi2-dpop', reason: expect.stringMatching(/PAR/) },
        { profile: 'fapi2-mtls', reason: expect.stringMatching(/PAR/) },
        { profile: 'fapi1-baseline', reason: expect.stringMatching(/signs no request object/) },
        { profile: 'fapi2-dpop-opaque', reason: expect.stringMatching(/PAR/) },
      ],
    });
  });

  it('answers 502 naming the bank that does not answer, with the fix (never a 500)', async () => {
    await bankApi.stop();
    const response = await sandbox.browser.api('/rules');
    expect(response.status).toBe(502);
    const error = response.body as ApiError;
    expect(error).toMatchObject({ error: 'temporarily_unavailable', party: 'bank-api', status: 0 });
    expect(error.error_description).toMatch(
      /Read bank-api.s rules: GET https:\/\/\S+\/sandbox\/rules failed/,
    );
    expect(error.error_description).toMatch(/ECONNREFUSED/);
    expect(error.error_description).toMatch(/Fix: check that the party is running \(pnpm dev/);
  });
});
