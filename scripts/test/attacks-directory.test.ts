// The attack lab's certificate and request_uri lifetime attacks against the real directory, bank-op and
// bank-api: a transport certificate the directory revoked is refused at the bank's next call, with the
// token bound to it, while the TPP's own certificate keeps working; a PAR request_uri opened after it
// expired is refused by the bank's authorization endpoint.
import { type Attack, attackById, FapiFlowClient, FLOW_VARIANTS, runAttack } from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { summary } from './support/attack-outcome.js';
import { demoCustomer, useRunningParties } from './support/parties.js';

let config: SandboxConfig;
useRunningParties((started) => {
  config = started;
});

const variant = (id: string) => FLOW_VARIANTS.find((v) => v.id === id)!;

function attack(id: string): Attack {
  const found = attackById(id);
  if (!found) throw new Error(`the catalogue has no attack ${id}`);
  return found;
}

async function certificatesOfDemo(): Promise<
  Array<{ serialNumber: string; source: string; status: string }>
> {
  const agent = createSandboxAgent({}, config);
  try {
    const response = await fetch(
      `${config.directory.web.origin}/certificates?softwareId=${config.participants.demo.softwareId}&type=transport`,
      { dispatcher: agent },
    );
    return ((await response.json()) as { certificates: never[] }).certificates;
  } finally {
    await agent.close();
  }
}

describe('certificate-revoked: a transport certificate the directory revoked', () => {
  it.each(['fapi2-mtls', 'fapi1-advanced'])(
    'is refused by bank-api at the next call under %s, with the token bound to it',
    async (profile) => {
      const before = await certificatesOfDemo();
      const outcome = await runAttack(attack('certificate-revoked'), {
        config,
        variant: variant(profile),
        customer: demoCustomer(),
      });
      expect(outcome.failure, summary(outcome)).toBeUndefined();
      expect(outcome, summary(outcome)).toMatchObject({
        refused: true,
        by: 'bank-api',
        status: 401,
        error: 'invalid_token',
        matched: true,
      });
      expect(outcome.errorDescription).toMatch(/The directory reports the client certificate \S+ as revoked/);
      expect(outcome.sent?.url).toMatch(/\/aisp\/account-access-consents$/);
      expect(outcome.changes).toEqual([
        expect.stringMatching(/^directory: transport certificate \w+ revoked/),
      ]);
      // The directory issued one certificate from a CSR, and it is the one now revoked.
      const after = await certificatesOfDemo();
      const issued = after.filter((c) => !before.some((b) => b.serialNumber === c.serialNumber));
      expect(issued).toEqual([expect.objectContaining({ source: 'csr', status: 'revoked' })]);
    },
    60_000,
  );

  it('leaves the TPP’s own certificate working: nothing else was revoked', async () => {
    const client = await FapiFlowClient.connect({ config, variant: variant('fapi2-mtls') });
    try {
      const token = await client.clientCredentialsToken('accounts');
      await expect(client.createAccountAccessConsent(token)).resolves.toEqual(expect.any(String));
    } finally {
      await client.close();
    }
  });

  it('does not apply to a DPoP client, and says why', () => {
    const revoked = attack('certificate-revoked');
    expect(revoked.profiles).toEqual(['fapi2-mtls', 'fapi1-advanced', 'fapi1-baseline']);
    expect(revoked.notApplicable?.['fapi2-dpop']).toMatch(/DPoP key/);
  });
});

describe('request-uri-expired: a PAR request_uri opened after it expired', () => {
  it('is refused by the bank’s authorization endpoint under FAPI 1.0 Advanced', async () => {
    const outcome = await runAttack(attack('request-uri-expired'), {
      config,
      variant: variant('fapi1-advanced'),
      customer: demoCustomer(),
    });
    expect(outcome.failure, summary(outcome)).toBeUndefined();
    expect(outcome, summary(outcome)).toMatchObject({
      refused: true,
      by: 'bank-op',
      status: 400,
      error: 'invalid_request_uri',
      matched: true,
    });
    expect(outcome.errorDescription).toMatch(/expired/);
    expect(outcome.changes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^request_object claim exp: '\d+' -> '\d+'$/),
        expect.stringMatching(/^request_uri: opened \d+ s after it expired$/),
      ]),
    );
  }, 30_000);

  it('the same pushed request, opened in time, reaches the bank’s sign-in page (the lifetime is what refused it)', async () => {
    const client = await FapiFlowClient.connect({ config, variant: variant('fapi1-advanced') });
    try {
      const token = await client.clientCredentialsToken('accounts');
      const pending = await client.pushAuthorizationRequest(await client.createAccountAccessConsent(token));
      const agent = createSandboxAgent({}, config);
      try {
        const response = await fetch(client.authorizationUrl(pending), {
          dispatcher: agent,
          redirect: 'manual',
        });
        expect(response.status).toBeLessThan(400);
        await response.body?.cancel();
      } finally {
        await agent.close();
      }
    } finally {
      await client.close();
    }
  });
});
