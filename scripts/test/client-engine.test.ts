// The client engine's observer and bend hook against the real directory, bank-op and bank-api: the
// observer sees every exchange and check with its clause, and bending one message makes the bank refuse
// it (and the observer sees that refusal), while the default hook changes nothing.
import {
  type Bend,
  FapiFlowClient,
  FLOW_VARIANTS,
  type FlowVariant,
  type JwtMessage,
  type ObservedCheck,
  type ObservedExchange,
} from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { describe, expect, it } from 'vitest';
import { demoCustomer, useRunningParties } from './support/parties.js';

describe('the client engine: observer and bend hook', () => {
  let config: SandboxConfig;
  const variant = (id: FlowVariant['id']) => FLOW_VARIANTS.find((v) => v.id === id)!;

  /**
   * Connects a client of `variantId` whose every message passes through `bend` (none: nothing bent), runs
   * `run` with it, closes it, and answers every exchange and check the observer saw.
   */
  async function withBentClient(
    variantId: FlowVariant['id'],
    bend: Bend | undefined,
    run: (client: FapiFlowClient) => Promise<void>,
  ): Promise<{ exchanges: ObservedExchange[]; checks: ObservedCheck[] }> {
    const seen = { exchanges: [] as ObservedExchange[], checks: [] as ObservedCheck[] };
    const observer = {
      exchange: (e: ObservedExchange) => void seen.exchanges.push(e),
      check: (c: ObservedCheck) => void seen.checks.push(c),
    };
    const client = await FapiFlowClient.connect({ config, variant: variant(variantId), observer, bend });
    try {
      await run(client);
    } finally {
      await client.close();
    }
    return seen;
  }

  /** A bend that makes the JWT for `purpose` (at `step`, when named) name another audience. */
  const foreignAudience =
    (purpose: JwtMessage['purpose'], step?: string): Bend =>
    (message) => {
      if (message.kind !== 'jwt' || message.purpose !== purpose || (step && message.step !== step)) return;
      message.claims.aud = 'https://evil.localhost';
      return message;
    };

  /** UK OB: the account-access consent a client creates with its own token before PAR. */
  const newConsent = async (client: FapiFlowClient) =>
    client.createAccountAccessConsent(await client.clientCredentialsToken('accounts'));

  useRunningParties((started) => {
    config = started;
  });

  it('reports every exchange and every check of a DPoP journey, each with its clause, none bent', async () => {
    const seen = await withBentClient('fapi2-dpop', undefined, async (client) => {
      const pending = await client.pushAuthorizationRequest(await newConsent(client));
      const code = await client.authorizationCode(
        await client.customerAuthorizes(pending, demoCustomer()),
        pending,
      );
      const token = await client.exchangeCode(pending, code);
      expect((await client.api(token, 'GET', '/aisp/accounts')).status).toBe(200);
    });
    const steps = seen.exchanges.map((e) => e.step);
    for (const step of [
      'participants',
      'ssa',
      'ssa-check',
      'discovery',
      'registration',
      'token:client_credentials',
      'par',
      'token:authorization_code',
      'api',
    ]) {
      expect(steps).toContain(step);
    }
    for (const exchange of seen.exchanges) {
      expect(exchange.clause).toMatch(/RFC|FAPI|OIDC|UK OB/);
      expect(exchange.bent).toBe(false);
      expect(exchange.status).toBeGreaterThanOrEqual(200);
    }
    // The proof went with every back-channel and API request of a DPoP client.
    const par = seen.exchanges.find((e) => e.step === 'par' && e.status === 201)!;
    expect(par.requestHeaders.dpop).toEqual(expect.any(String));
    expect(par.requestBody).toMatchObject({
      client_assertion: expect.any(String),
      code_challenge_method: 'S256',
    });
    const checkNames = seen.checks.map((c) => `${c.name} (${c.clause})`);
    expect(checkNames).toEqual(
      expect.arrayContaining([
        'SSA signed by the directory (RFC 7591 §2.3, RFC 7515 §5.2)',
        'SSA names this software (RFC 7591 §2.3)',
        'iss is the bank the request was sent to (RFC 9207 §2.4, FAPI 2.0 SP §5.3.3.2)',
        'state matches the request (RFC 6749 §10.12)',
        'token_type is DPoP (RFC 9449 §5)',
        'access token cnf.jkt is our DPoP key’s thumbprint (RFC 9449 §6.1)',
        'nonce matches the request (OIDC Core §3.1.3.7 step 11)',
        'openbanking_intent_id is our consent (UK OB Security Profile §ID Token (openbanking_intent_id))',
      ]),
    );
    expect(seen.checks.every((c) => c.passed)).toBe(true);
  });

  it('the observer sees a failed check, with its clause, when the response names another issuer', async () => {
    const seen = await withBentClient('fapi2-mtls', undefined, async (client) => {
      const pending = await client.pushAuthorizationRequest(await newConsent(client));
      const landing = new URL(config.participants.demo.redirectUris[0]!);
      landing.search = new URLSearchParams({
        code: 'c',
        state: pending.state,
        iss: 'https://evil.localhost',
      }).toString();
      await expect(client.authorizationCode(landing, pending)).rejects.toThrow(/iss/);
    });
    expect(seen.checks).toContainEqual(
      expect.objectContaining({
        name: 'iss is the bank the request was sent to',
        passed: false,
        clause: expect.stringMatching(/RFC 9207/),
      }),
    );
  });

  it('bending the PAR client assertion’s aud makes the bank refuse the pushed request (invalid_client)', async () => {
    const bend = foreignAudience('client_assertion', 'par');
    const seen = await withBentClient('fapi2-dpop', bend, async (client) => {
      await expect(client.pushAuthorizationRequest(await newConsent(client))).rejects.toThrow(
        /PAR refused: 401.*invalid_client/,
      );
    });
    const refused = seen.exchanges.filter((e) => e.step === 'par').at(-1)!;
    expect(refused).toMatchObject({ status: 401, clause: expect.stringMatching(/RFC 9126/) });
    expect(refused.responseBody).toMatchObject({ error: 'invalid_client' });
    // Steps the hook left alone went through unchanged and were accepted (after a DPoP nonce retry).
    expect(seen.exchanges.filter((e) => e.step === 'token:client_credentials').at(-1)).toMatchObject({
      status: 200,
      bent: false,
    });
  });

  it('bending the request object’s aud makes the bank refuse the FAPI 1.0 pushed request', async () => {
    const seen = await withBentClient('fapi1-advanced', foreignAudience('request_object'), async (client) => {
      await expect(client.pushAuthorizationRequest(await newConsent(client))).rejects.toThrow(
        /PAR refused: 400.*invalid_request_object/,
      );
    });
    expect(seen.exchanges.filter((e) => e.step === 'par').at(-1)).toMatchObject({ status: 400 });
  });

  it('dropping the DPoP header from an API call makes the bank API refuse the DPoP-bound token', async () => {
    let dropProof = false;
    const bend: Bend = (message) => {
      if (!dropProof || message.kind !== 'http' || message.step !== 'api') return;
      delete message.headers.dpop;
      return message;
    };
    const seen = await withBentClient('fapi2-dpop', bend, async (client) => {
      const token = await client.clientCredentialsToken('accounts');
      dropProof = true;
      const response = await client.api(token, 'POST', '/aisp/account-access-consents', {
        Data: { Permissions: ['ReadAccountsDetail'] },
        Risk: {},
      });
      expect(response.status).toBe(401);
    });
    const refused = seen.exchanges.filter((e) => e.step === 'api').at(-1)!;
    expect(refused).toMatchObject({ status: 401, bent: true });
    expect(refused.requestHeaders.dpop).toBeUndefined();
    expect(refused.responseHeaders?.['www-authenticate']).toMatch(/DPoP/);
  });

  it('swapping the certificate of an mTLS-bound API call makes the bank API refuse the token', async () => {
    const noCertificate = createSandboxAgent({}, config);
    let swap = false;
    const bend: Bend = (message) => {
      if (!swap || message.kind !== 'http' || message.step !== 'api') return;
      return { ...message, dispatcher: noCertificate };
    };
    const seen = await withBentClient('fapi2-mtls', bend, async (client) => {
      const token = await client.clientCredentialsToken('accounts');
      swap = true;
      const response = await client.api(token, 'GET', '/aisp/account-access-consents/none');
      expect(response.status).toBe(401);
    }).finally(() => noCertificate.close());
    expect(seen.exchanges.filter((e) => e.step === 'api').at(-1)).toMatchObject({ status: 401, bent: true });
  });
});
