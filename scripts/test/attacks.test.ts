// The attack lab against the real directory, bank-op and bank-api: every attack of the catalogue, for
// every profile it applies to, is refused by the party it names, with its status and error, and the
// refusal's description names the clause. An attack that gets through fails here.
import { ATTACKS, PROFILE_VARIANTS, runAttack } from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { describe, expect, it } from 'vitest';
import { summary } from './support/attack-outcome.js';
import { demoCustomer, useRunningParties } from './support/parties.js';

let config: SandboxConfig;
useRunningParties((started) => {
  config = started;
});

const cases = ATTACKS.flatMap((attack) =>
  attack.profiles.map((profile) => ({ attack, variant: PROFILE_VARIANTS.find((v) => v.id === profile)! })),
);

describe('every attack is refused by the party that must refuse it', () => {
  it.each(cases.map((c) => [`${c.attack.id} under ${c.variant.id}`, c] as const))(
    '%s',
    async (_name, { attack, variant }) => {
      const outcome = await runAttack(attack, { config, variant, customer: demoCustomer() });
      const expected = attack.refusals[variant.id]!;
      expect(outcome.failure, summary(outcome)).toBeUndefined();
      expect(outcome.refused, summary(outcome)).toBe(true);
      expect(outcome, summary(outcome)).toMatchObject({
        by: expected.party,
        status: expected.status,
        error: expected.error,
      });
      expect(outcome.matched, summary(outcome)).toBe(true);
      expect(outcome.changes.length, 'the runner says what was bent').toBeGreaterThan(0);
      // The client engine's refusals name the check that failed, which the attack lists among its rules.
      if (outcome.by === 'tpp') expect(attack.rules).toContain(`tpp:${outcome.check}`);
    },
    30_000,
  );
});
