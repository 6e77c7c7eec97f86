// The client engine's observer and bend hook against the real directory, bank-op and bank-api: the
// observer sees every exchange and check with its clause, and bending one message makes the bank refuse
// it (and the observer sees that refusal), while the default hook changes nothing.
import {
  type Bend,
  FapiFlowClient,
  FLOW_VARIANTS,
  type FlowVariant,
  type ObservedCheck,
  type ObservedExchange,
} from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCustomer, type Stoppable, startParties } from './support/parties.js';

function recordingObserver() {
  const exchanges: ObservedExchange[] = [];
  const checks: ObservedCheck[] = [];
  return {
    exchanges,
    checks,
    observer: {
      exchange: (e: ObservedExchange) => exchanges.push(e),
      check: (c: ObservedCheck) => checks.push(c),
    },
  };
}

describe('the client engine: observer and bend hook', () => {
  let config: SandboxConfig;
  let parties: Stoppable[] = [];
  const variant = (id: FlowVariant['id']) => FLOW_VARIANTS.find((v) => v.id === id)!;

  beforeAll(async () => {
    config = await isolatedConfig();
    parties = await startParties(config);
  }, 30_000);

  afterAll(async () => {
    for (const party of parties.reverse()) await party.stop();
    if (config) removeTestData(config);
  });

  it('reports every exchange and every check of a DPoP journey, each with its clause, none bent', async () => {
    const seen = recordingObserver();
    const client = await FapiFlowClient.connect({
      config,
      variant: variant('fapi2-dpop'),
      observer: seen.observer,
    });
    try {
      const consentId = await client.createAccountAccessConsent(
        await client.clientCredentialsToken('accounts'),
      );
      const pending = await client.pushAuthorizationRequest(consentId);
      const code = await client.authorizationCode(
        await client.customerAuthorizes(pending, demoCustomer()),
        pending,
      );
      const token = await client.exchangeCode(pending, code);
      expect((await client.api(token, 'GET', '/aisp/accounts')).status).toBe(200);
    } finally {
      await client.close();
    }
    const steps = seen.exchanges.map((e) => e.step);
    for (const step of [
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
    const seen = recordingObserver();
    const client = await FapiFlowClient.connect({
      config,
      variant: variant('fapi2-mtls'),
      observer: seen.observer,
    });
    try {
      const pending = await client.pushAuthorizationRequest(
        await client.createAccountAccessConsent(await client.clientCredentialsToken('accounts')),
      );
      const landing = new URL(config.participants.demo.redirectUris[0]!);
      landing.search = new URLSearchParams({
        code: 'c',
        state: pending.state,
        iss: 'https://evil.localhost',
      }).toString();
      await expect(client.authorizationCode(landing, pending)).rejects.toThrow(/iss/);
    } finally {
      await client.close();
    }
    expect(seen.checks).toContainEqual(
      expect.objectContaining({
        name: 'iss is the bank the request was sent to',
        passed: false,
        clause: expect.stringMatching(/RFC 9207/),
      }),
    );
  });

  it('bending the PAR client assertion’s aud makes the bank refuse the pushed request (invalid_client)', async () => {
    const seen = recordingObserver();
    const bend: Bend = (message) => {
      if (message.kind !== 'jwt' || message.step !== 'par' || message.purpose !== 'client_assertion') return;
      message.claims.aud = 'https://evil.localhost';
      return message;
    };
    const client = await FapiFlowClient.connect({
      config,
      variant: variant('fapi2-dpop'),
      observer: seen.observer,
      bend,
    });
    try {
      const consentId = await client.createAccountAccessConsent(
        await client.clientCredentialsToken('accounts'),
      );
      await expect(client.pushAuthorizationRequest(consentId)).rejects.toThrow(
        /PAR refused: 401.*invalid_client/,
      );
    } finally {
      await client.close();
    }
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
    const seen = recordingObserver();
    const bend: Bend = (message) => {
      if (message.kind !== 'jwt' || message.purpose !== 'request_object') return;
      message.claims.aud = 'https://evil.localhost';
      return message;
    };
    const client = await FapiFlowClient.connect({
      config,
      variant: variant('fapi1-advanced'),
      observer: seen.observer,
      bend,
    });
    try {
      const consentId = await client.createAccountAccessConsent(
        await client.clientCredentialsToken('accounts'),
      );
      await expect(client.pushAuthorizationRequest(consentId)).rejects.toThrow(
        /PAR refused: 400.*invalid_request_object/,
      );
    } finally {
      await client.close();
    }
    expect(seen.exchanges.filter((e) => e.step === 'par').at(-1)).toMatchObject({ status: 400 });
  });

  it('dropping the DPoP header from an API call makes the bank API refuse the DPoP-bound token', async () => {
    const seen = recordingObserver();
    let dropProof = false;
    const bend: Bend = (message) => {
      if (!dropProof || message.kind !== 'http' || message.step !== 'api') return;
      delete message.headers.dpop;
      return message;
    };
    const client = await FapiFlowClient.connect({
      config,
      variant: variant('fapi2-dpop'),
      observer: seen.observer,
      bend,
    });
    try {
      const token = await client.clientCredentialsToken('accounts');
      dropProof = true;
      const response = await client.api(token, 'POST', '/aisp/account-access-consents', {
        Data: { Permissions: ['ReadAccountsDetail'] },
        Risk: {},
      });
      expect(response.status).toBe(401);
    } finally {
      await client.close();
    }
    const refused = seen.exchanges.filter((e) => e.step === 'api').at(-1)!;
    expect(refused).toMatchObject({ status: 401, bent: true });
    expect(refused.requestHeaders.dpop).toBeUndefined();
    expect(refused.responseHeaders?.['www-authenticate']).toMatch(/DPoP/);
  });

  it('swapping the certificate of an mTLS-bound API call makes the bank API refuse the token', async () => {
    const seen = recordingObserver();
    const noCertificate = createSandboxAgent({}, config);
    let swap = false;
    const bend: Bend = (message) => {
      if (!swap || message.kind !== 'http' || message.step !== 'api') return;
      return { ...message, dispatcher: noCertificate };
    };
    const client = await FapiFlowClient.connect({
      config,
      variant: variant('fapi2-mtls'),
      observer: seen.observer,
      bend,
    });
    try {
      const token = await client.clientCredentialsToken('accounts');
      swap = true;
      const response = await client.api(token, 'GET', '/aisp/account-access-consents/none');
      expect(response.status).toBe(401);
    } finally {
      await client.close();
      await noCertificate.close();
    }
    expect(seen.exchanges.filter((e) => e.step === 'api').at(-1)).toMatchObject({ status: 401, bent: true });
  });
});
