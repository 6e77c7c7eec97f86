// Opaque access tokens end to end, through the one client engine against the real directory, bank-op and
// bank-api: the client registers for them (access_token_format "opaque"), bank-api introspects each one
// at bank-op, a revoked connection is refused at the next call, and the attacks on tokens at bank-api
// are still refused by bank-api when it cannot read the token itself.
import {
  ATTACKS,
  attackById,
  FapiFlowClient,
  FLOW_VARIANTS,
  type FlowVariant,
  PROFILE_VARIANTS,
  runAttack,
  withOpaqueAccessTokens,
} from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { describe, expect, it } from 'vitest';
import { summary } from './support/attack-outcome.js';
import { customerConsents } from './support/journey.js';
import { demoCustomer, useRunningParties } from './support/parties.js';

let config: SandboxConfig;
useRunningParties((started) => {
  config = started;
});

const opaqueVariant = (id: FlowVariant['id']) =>
  withOpaqueAccessTokens(FLOW_VARIANTS.find((v) => v.id === id)!);

describe.each(['fapi2-dpop', 'fapi2-mtls'] as const)('opaque access tokens under %s', (id) => {
  it('runs the consent-to-API journey with a token bank-api introspects', async () => {
    const client = await FapiFlowClient.connect({ config, variant: opaqueVariant(id) });
    try {
      expect(client.metadata.access_token_format).toBe('opaque');
      const token = await customerConsents(client);
      expect(token.value.split('.')).toHaveLength(1);
      const accounts = await client.api(token, 'GET', '/aisp/accounts');
      expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);
      expect(accounts.body.Data.Account.length).toBeGreaterThan(0);

      // Revocation takes effect at once: bank-op answers the next introspection with active: false.
      expect((await client.revoke(token.refreshToken!, 'refresh_token')).status).toBe(200);
      const after = await client.api(token, 'GET', '/aisp/accounts');
      expect(after.status).toBe(401);
      expect(after.body.error_description).toMatch(/not active/);
    } finally {
      await client.close();
    }
  });
});

// The catalogue's attacks on the token at bank-api: each needs no JWT to read (stolen token, other key or
// certificate, token in the query, revoked token, another TPP's consent).
const TOKEN_ATTACKS = [
  'dpop-other-key',
  'token-other-certificate',
  'token-in-query',
  'access-token-revoked',
  'other-tpp-consent',
];
const cases = ATTACKS.filter((attack) => TOKEN_ATTACKS.includes(attack.id)).flatMap((attack) =>
  attack.profiles
    // Opaque tokens are offered with the FAPI 2.0 ways of connecting (the TPP's fapi2-dpop-opaque).
    .filter((profile) => profile === 'fapi2-dpop' || profile === 'fapi2-mtls')
    .map((profile) => ({ attack, variant: opaqueVariant(profile) })),
);

describe('token attacks are still refused with opaque access tokens', () => {
  it('covers every listed attack', () => {
    expect(new Set(cases.map((c) => c.attack.id))).toEqual(new Set(TOKEN_ATTACKS));
  });

  it.each(cases.map((c) => [`${c.attack.id} under ${c.variant.id} (opaque)`, c] as const))(
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
    },
    30_000,
  );
});

// The TPP's fapi2-dpop-opaque connection: the attack lab runs every attack of fapi2-dpop under it.
describe('the attack lab under fapi2-dpop-opaque', () => {
  const opaque = PROFILE_VARIANTS.find((v) => v.id === 'fapi2-dpop-opaque')!;
  const jwt = PROFILE_VARIANTS.find((v) => v.id === 'fapi2-dpop')!;

  /** Runs an attack and expects bank-api's 401 invalid_token, as the catalogue says; answers its description. */
  async function refusedByBankApi(attackId: string, variant: FlowVariant) {
    const outcome = await runAttack(attackById(attackId)!, { config, variant, customer: demoCustomer() });
    expect(outcome, summary(outcome)).toMatchObject({
      refused: true,
      by: 'bank-api',
      status: 401,
      error: 'invalid_token',
      matched: true,
    });
    return outcome;
  }

  it('offers every attack fapi2-dpop runs, and says why an attack on the JWT’s claims does not apply', () => {
    for (const attack of ATTACKS) {
      if (attack.profiles.includes('fapi2-dpop') && attack.id !== 'access-token-claims-edited') {
        expect(attack.profiles, attack.id).toContain('fapi2-dpop-opaque');
      }
    }
    const claimsEdited = attackById('access-token-claims-edited')!;
    expect(claimsEdited.profiles).not.toContain('fapi2-dpop-opaque');
    expect(claimsEdited.notApplicable?.['fapi2-dpop-opaque']).toMatch(
      /reference.*introspection \(RFC 7662 §2\.2\)/,
    );
  });

  it('revoke, then call again: bank-op’s introspection answer refuses the opaque token at the next call', async () => {
    const outcome = await refusedByBankApi('access-token-revoked', opaque);
    expect(outcome.errorDescription).toMatch(
      /not active \(asked by introspection in \d+ ms\).*RFC 7662 section 2\.2/,
    );
    expect(attackById('access-token-revoked')!.howStopped?.['fapi2-dpop-opaque']).toMatch(/very next call/);
  }, 30_000);

  it('revoke, then call again: the JWT is refused by bank-api’s revocation record, not by its signature', async () => {
    const outcome = await refusedByBankApi('access-token-revoked', jwt);
    expect(outcome.errorDescription).not.toMatch(/introspection/);
    expect(outcome.errorDescription).toMatch(/was revoked at .*RFC 7009 section 2/);
    expect(attackById('access-token-revoked')!.howStopped?.['fapi2-dpop']).toMatch(
      /until its exp.*shared store/,
    );
  }, 30_000);

  it('a JWT access token with a claim edited is refused on its signature (RFC 7515 §5.2)', async () => {
    const outcome = await refusedByBankApi('access-token-claims-edited', jwt);
    expect(outcome.errorDescription).toMatch(/RFC 7515 section 5\.2/);
    expect(outcome.changes.join('\n')).toMatch(/exp a day later/);
  }, 30_000);
});
