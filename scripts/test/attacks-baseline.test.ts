// The attack lab under FAPI 1.0 Baseline: what Baseline lets through, as it is taught (a stolen bearer
// token works), run against the real parties; the attacks Baseline refuses run in attacks.test.ts with
// every other profile's.
import { ATTACKS, attackById, FLOW_VARIANTS, runAttack } from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { describe, expect, it } from 'vitest';
import { formatOutcome } from '../src/attack.js';
import { summary } from './support/attack-outcome.js';
import { demoCustomer, useRunningParties } from './support/parties.js';

let config: SandboxConfig;
useRunningParties((started) => {
  config = started;
});

const baseline = FLOW_VARIANTS.find((v) => v.id === 'fapi1-baseline')!;

describe('attacks that succeed under FAPI 1.0 Baseline, and the rung that stops them', () => {
  it('lists at least the stolen bearer token among them, each naming Advanced as the rung that stops it', () => {
    const succeeding = ATTACKS.filter((attack) => attack.succeedsUnder?.['fapi1-baseline']).map((a) => a.id);
    expect(succeeding).toEqual(expect.arrayContaining(['token-without-binding', 'token-other-certificate']));
  });

  it.each(['token-without-binding', 'token-other-certificate'])(
    '%s succeeds under Baseline, and the CLI says Advanced refuses it',
    async (id) => {
      const attack = attackById(id)!;
      const outcome = await runAttack(attack, { config, variant: baseline, customer: demoCustomer() });
      expect(outcome.failure, summary(outcome)).toBeUndefined();
      expect(outcome.refused, summary(outcome)).toBe(false);
      expect(outcome.matched, summary(outcome)).toBe(true);
      expect(outcome.succeedsAsTaught?.stoppedBy).toBe('fapi1-advanced');
      expect(outcome.changes.length, 'the runner says what was bent').toBeGreaterThan(0);
      const printed = formatOutcome(attack, baseline, outcome);
      expect(printed).toMatch(/succeeds under FAPI 1\.0 Baseline/);
      expect(printed).toMatch(/fapi1-advanced refuses it: bank-api, 401 invalid_token/);
    },
    30_000,
  );

  it('still refuses a reused code under Baseline (Part 1 §5.2.2-13)', async () => {
    const outcome = await runAttack(attackById('code-reuse')!, {
      config,
      variant: baseline,
      customer: demoCustomer(),
    });
    expect(outcome.refused, summary(outcome)).toBe(true);
    expect(outcome.matched, summary(outcome)).toBe(true);
    expect(outcome.by).toBe('bank-op');
  }, 30_000);
});
