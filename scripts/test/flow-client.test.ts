// The flow client against real in-process parties (directory, bank-op, bank-api): each way of connecting
// once, and the checks that make the client refuse an authorization response it must not trust.
import { FapiFlowClient, FLOW_VARIANTS, type FlowVariant } from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { customerConsents } from './support/journey.js';
import { useRunningParties } from './support/parties.js';

describe('the flow client against in-process directory, bank-op and bank-api', () => {
  let config: SandboxConfig;
  const variant = (id: FlowVariant['id']) => FLOW_VARIANTS.find((v) => v.id === id)!;

  useRunningParties((started) => {
    config = started;
  });

  for (const { id, title } of FLOW_VARIANTS) {
    it(`runs the consent-to-API journey: ${title}`, async () => {
      const client = await FapiFlowClient.connect({ config, variant: variant(id) });
      try {
        const v = variant(id);
        expect(client.metadata).toMatchObject({
          fapi_profile: v.profile,
          token_endpoint_auth_method: v.clientAuth,
          ...(v.binding === 'mtls'
            ? { tls_client_certificate_bound_access_tokens: true }
            : v.binding === 'dpop'
              ? { dpop_bound_access_tokens: true }
              : { tls_client_certificate_bound_access_tokens: false, dpop_bound_access_tokens: false }),
        });
        const token = await customerConsents(client);
        const accounts = await client.api(token, 'GET', '/aisp/accounts');
        expect(accounts.status).toBe(200);
        expect(accounts.body.Data.Account.length).toBeGreaterThan(0);
        // The customer's token names the consent and is bound the way the variant says.
        const claims = decodeJwt(token.value);
        expect(claims.client_id).toBe(client.clientId);
        expect(typeof claims.openbanking_intent_id).toBe('string');
        if (v.binding === 'dpop') {
          expect(token.scheme).toBe('DPoP');
          expect(claims.cnf).toEqual({ jkt: expect.any(String) });
        } else if (v.binding === 'none') {
          // FAPI 1.0 Part 1 §6.2.1-2: a Baseline token is a bearer token, and bank-api accepted it.
          expect(token.scheme).toBe('Bearer');
          expect(claims.cnf).toBeUndefined();
          expect(claims.fapi_profile).toBe('fapi1-baseline');
        } else {
          expect(token.scheme).toBe('Bearer');
          expect(claims.cnf).toEqual({ 'x5t#S256': expect.any(String) });
        }
      } finally {
        await client.close();
      }
    });
  }

  for (const [id, alg] of [
    ['fapi1-advanced', 'RSA-OAEP-256'],
    ['fapi2-dpop', 'ECDH-ES'],
  ] as const) {
    it(`runs the journey with its request object signed, then encrypted to the bank (${id}, ${alg})`, async () => {
      const checks: { step: string; name: string; detail: string }[] = [];
      const parBodies: unknown[] = [];
      const client = await FapiFlowClient.connect({
        config,
        variant: { ...variant(id), encryptRequestObject: alg },
        observer: {
          check: (check) => checks.push(check),
          exchange: (exchange) => {
            if (exchange.step === 'par') parBodies.push(exchange.requestBody);
          },
        },
      });
      try {
        expect(client.metadata).toMatchObject({
          request_object_encryption_alg: alg,
          request_object_encryption_enc: 'A256GCM',
        });
        const token = await customerConsents(client);
        expect((await client.api(token, 'GET', '/aisp/accounts')).status).toBe(200);
        // What travelled through PAR was a five-part JWE, not the signed parameters.
        const sent = parBodies.map((body) => (body as { request?: string }).request);
        expect(sent.length).toBeGreaterThan(0);
        for (const request of sent) expect(request?.split('.')).toHaveLength(5);
        const encrypted = checks.find((check) =>
          check.name.startsWith('Request object signed, then encrypted'),
        );
        expect(encrypted?.step).toBe('par');
        expect(JSON.parse(encrypted!.detail.replace('JWE protected header ', ''))).toMatchObject({
          alg,
          enc: 'A256GCM',
          cty: 'JWT',
        });
      } finally {
        await client.close();
      }
    });
  }

  it('runs the journey with ID tokens signed by the bank, then encrypted to Moneywise (OIDC Core §10.2)', async () => {
    const checks: { step: string; name: string; detail: string }[] = [];
    const tokenBodies: unknown[] = [];
    const client = await FapiFlowClient.connect({
      config,
      variant: { ...variant('fapi2-mtls'), encryptedIdToken: 'RSA-OAEP-256' },
      observer: {
        check: (check) => checks.push(check),
        exchange: (exchange) => {
          if (exchange.step === 'token:authorization_code') tokenBodies.push(exchange.responseBody);
        },
      },
    });
    try {
      expect(client.metadata).toMatchObject({
        id_token_encrypted_response_alg: 'RSA-OAEP-256',
        id_token_encrypted_response_enc: 'A256GCM',
      });
      const token = await customerConsents(client);
      expect((await client.api(token, 'GET', '/aisp/accounts')).status).toBe(200);
      // The token endpoint answered with a five-part JWE as the ID token.
      const idTokens = tokenBodies.map((body) => (body as { id_token?: string }).id_token);
      expect(idTokens.length).toBeGreaterThan(0);
      for (const idToken of idTokens) expect(idToken?.split('.')).toHaveLength(5);
      const decrypted = checks.find((check) => check.name.startsWith('ID token encrypted to'));
      expect(decrypted?.step).toBe('id-token');
      expect(decrypted?.detail).toContain('"alg":"RSA-OAEP-256"');
      // …and the usual checks ran on what was inside.
      expect(checks.map((check) => check.name)).toContain('openbanking_intent_id is our consent');
    } finally {
      await client.close();
    }
  });

  it('runs the journey with JARM responses signed by the bank, then encrypted to Moneywise (JARM §2.2)', async () => {
    const checks: { step: string; name: string; detail: string }[] = [];
    const client = await FapiFlowClient.connect({
      config,
      variant: { ...variant('fapi1-advanced'), encryptedJarm: 'ECDH-ES' },
      observer: { check: (check) => checks.push(check) },
    });
    try {
      expect(client.metadata).toMatchObject({
        authorization_encrypted_response_alg: 'ECDH-ES',
        authorization_encrypted_response_enc: 'A256GCM',
      });
      const token = await customerConsents(client);
      expect((await client.api(token, 'GET', '/aisp/accounts')).status).toBe(200);
      const decrypted = checks.find((check) => check.name.startsWith('JARM response encrypted to'));
      expect(decrypted?.step).toBe('authorization-response');
      expect(decrypted?.detail).toContain('"alg":"ECDH-ES","enc":"A256GCM"');
      // …and the JARM §4.4 checks ran on the signed JWT inside.
      expect(checks.map((check) => check.name)).toEqual(
        expect.arrayContaining([
          'JARM response signed by the bank, for Moneywise, not expired',
          'JARM state matches the request',
        ]),
      );
    } finally {
      await client.close();
    }
  });

  it('refuses an authorization response from another issuer, with another state, or elsewhere', async () => {
    const client = await FapiFlowClient.connect({ config, variant: variant('fapi2-mtls') });
    try {
      const consentId = await client.createAccountAccessConsent(
        await client.clientCredentialsToken('accounts'),
      );
      const pending = await client.pushAuthorizationRequest(consentId);
      const redirectUri = config.participants.demo.redirectUris[0]!;
      const landing = (params: Record<string, string>, base = redirectUri) =>
        new URL(`${base}?${new URLSearchParams(params)}`);
      const issuer = config.bankOp.issuer;

      // RFC 9207: a response naming another issuer is a mix-up attack.
      await expect(
        client.authorizationCode(
          landing({ code: 'c', state: pending.state, iss: 'https://evil.localhost' }),
          pending,
        ),
      ).rejects.toThrow(/iss/);
      // RFC 6749 §10.12: a state this client did not send is CSRF.
      await expect(
        client.authorizationCode(landing({ code: 'c', state: 'another-state', iss: issuer }), pending),
      ).rejects.toThrow(/state/);
      await expect(
        client.authorizationCode(
          landing({ code: 'c', state: pending.state, iss: issuer }, 'https://tpp.localhost:1/elsewhere'),
          pending,
        ),
      ).rejects.toThrow(/redirected/);
      await expect(
        // RFC 9207 §2.4: an error response names its issuer too, and is checked like a code.
        client.authorizationCode(
          landing({ error: 'access_denied', state: pending.state, iss: issuer }),
          pending,
        ),
      ).rejects.toThrow(/access_denied/);
    } finally {
      await client.close();
    }
  });

  it('refuses a JARM response the bank did not sign', async () => {
    const client = await FapiFlowClient.connect({
      config,
      variant: variant('fapi1-advanced'),
    });
    try {
      const consentId = await client.createAccountAccessConsent(
        await client.clientCredentialsToken('accounts'),
      );
      const pending = await client.pushAuthorizationRequest(consentId);
      const { privateKey } = await generateKeyPair('PS256');
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({ code: 'stolen', state: pending.state })
        .setProtectedHeader({ alg: 'PS256', kid: 'not-the-banks' })
        .setIssuer(config.bankOp.issuer)
        .setAudience(client.clientId)
        .setExpirationTime(now + 300)
        .sign(privateKey);
      const landing = new URL(config.participants.demo.redirectUris[0]!);
      landing.searchParams.set('response', forged);
      await expect(client.authorizationCode(landing, pending)).rejects.toThrow(/JARM/);
    } finally {
      await client.close();
    }
  });
});
