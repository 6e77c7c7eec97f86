// The attack lab's catalogue, checked against the running bank: at least 18 distinct attacks with
// unique kebab-case ids, each stating a refusal for every profile it applies to, and every rule it
// names is one the bank itself lists at GET /sandbox/rules (bank-op's posture, bank-api's pipeline).
import { ATTACKS, PROFILE_VARIANTS } from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { type Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stoppable, startParties } from './support/parties.js';

let config: SandboxConfig;
let parties: Stoppable[] = [];
let agent: Agent;

beforeAll(async () => {
  config = await isolatedConfig();
  parties = await startParties(config);
  agent = createSandboxAgent({}, config);
}, 30_000);

afterAll(async () => {
  await agent?.close();
  for (const party of parties.reverse()) await party.stop();
  if (config) removeTestData(config);
});

async function rulesOf(origin: string) {
  const response = await fetch(`${origin}/sandbox/rules`, { dispatcher: agent });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/json/);
  return (await response.json()) as { party: string; rules: Array<Record<string, unknown>> };
}

describe('GET /sandbox/rules', () => {
  it('bank-op lists every rule of each profile and of the ecosystem, with clause, requirement, enforcer', async () => {
    const { party, rules } = await rulesOf(config.bankOp.web.origin);
    expect(party).toBe('bank-op');
    expect(new Set(rules.map((rule) => rule.profile))).toEqual(
      new Set(['fapi2', 'fapi1-advanced', 'fapi1-baseline', 'ecosystem']),
    );
    for (const rule of rules) {
      expect(rule).toMatchObject({
        id: expect.stringMatching(/^[a-z0-9]+(-[a-z0-9_]+)*$/),
        clause: expect.stringMatching(/RFC|FAPI|OIDC|OB|PSD2|JARM|CIBA/),
        requirement: expect.any(String),
        enforcedBy: { by: expect.stringMatching(/oidc-provider|bank-op/) },
      });
    }
    expect(rules).toContainEqual(
      expect.objectContaining({ profile: 'fapi2', id: 'code-single-use', fix: expect.any(String) }),
    );
  });

  it('bank-api lists its pipeline checks in order, each with its clause and what it checks', async () => {
    const { party, rules } = await rulesOf(config.bankApi.web.origin);
    expect(party).toBe('bank-api');
    expect(rules.map((rule) => rule.order)).toEqual(rules.map((_, index) => index + 1));
    expect(rules.map((rule) => String(rule.name).split(':')[0])).toEqual([
      'FAPI headers and token location',
      'Transport',
      'Token',
      'Binding',
      'Revocation',
      'Participant',
      'Message signature',
      'Authorisation',
    ]);
    for (const rule of rules) expect(rule.clause).toMatch(/RFC|FAPI/);
  });
});

describe('the attack catalogue', () => {
  it('has at least 18 distinct attacks with unique kebab-case ids', () => {
    const ids = ATTACKS.map((attack) => attack.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(18);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('states, for each attack, a refusal for every profile it applies to, or why it does not apply', () => {
    const profiles = PROFILE_VARIANTS.map((variant) => variant.id);
    for (const attack of ATTACKS) {
      expect(attack.profiles.length, attack.id).toBeGreaterThan(0);
      for (const profile of profiles) {
        const applies = attack.profiles.includes(profile);
        // FAPI 1.0 Baseline lets some attacks through, as taught: the attack says so and who stops it.
        const succeeds = attack.succeedsUnder?.[profile];
        expect(
          [applies, Boolean(attack.notApplicable?.[profile]), Boolean(succeeds)].filter(Boolean),
          `${attack.id} under ${profile}: refused, not applicable, or succeeds as taught (exactly one)`,
        ).toEqual([true]);
        if (succeeds) expect(attack.refusals[succeeds.stoppedBy], attack.id).toBeDefined();
        if (applies) {
          expect(attack.refusals[profile], `${attack.id} under ${profile}`).toMatchObject({
            status: expect.any(Number),
            error: expect.stringMatching(/^[a-z_]+$/),
            clause: expect.stringMatching(/RFC|FAPI|OIDC|JARM|OB/),
          });
        }
      }
      expect(attack.threat, attack.id).toMatch(/\w+ \w+/);
      expect(attack.fix, attack.id).toMatch(/\w+ \w+/);
    }
  });

  it('names only rules the bank lists: bank-op posture rule ids and bank-api pipeline check names', async () => {
    const bankOp = new Set(
      (await rulesOf(config.bankOp.web.origin)).rules.map((rule) => `bank-op:${rule.id}`),
    );
    const bankApi = new Set(
      (await rulesOf(config.bankApi.web.origin)).rules.map((rule) => `bank-api:${rule.name}`),
    );
    for (const attack of ATTACKS) {
      for (const rule of attack.rules) {
        if (rule.startsWith('bank-op:')) expect(bankOp, attack.id).toContain(rule);
        if (rule.startsWith('bank-api:')) expect(bankApi, attack.id).toContain(rule);
      }
    }
  });
});
