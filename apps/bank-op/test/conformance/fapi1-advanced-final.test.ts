// The OpenID Foundation's FAPI 1.0 Advanced (final) plan, module by module, for both client
// authentications the bank offers (private_key_jwt, tls_client_auth; tokens always mTLS-bound): one test
// per module × variant, named `<module id> [<client auth>, mtls]` for `pnpm conformance`. The client
// pushes a signed request object (hybrid response) unless a module says otherwise; the modules FAPI 2.0
// runs too come from scenarios.ts, and the resource-server half lives in apps/bank-api/test/conformance.

import { decodeJwt } from 'jose';
import { fetch } from 'undici';
import { expect } from 'vitest';
import { authorizeFapi1, type Fapi1Mode } from '../support/flows.js';
import {
  conformanceSandbox,
  expectAuthorizationRefused,
  expectCode,
  expectRefused,
  type VariantClient,
} from './harness.js';
import { FAPI1_ADVANCED as plan } from './modules.js';
import {
  claims,
  commonScenarios as common,
  EXPLAINED,
  ON_BANK_API,
  PAR_REFUSED_FIELDS,
  requestObjectRefused,
  runPlan,
  type Scenario,
  signedRequestScenarios,
  tokenAssertionRefused,
} from './scenarios.js';

const run = conformanceSandbox(plan, 'fapi1-advanced');

/** A PAR client assertion with a bent claim: 400 or 401 with invalid_client or invalid_request. */
function parAssertionRefused(bent: (client: VariantClient) => Record<string, unknown>): Scenario {
  return async ({ client1 }) => {
    const auth = await client1.tpp.clientAuth(client1.client, { claims: bent(client1) });
    const { par } = await client1.push({}, { auth });
    expectRefused(par, { status: [400, 401], error: ['invalid_client', 'invalid_request'] });
  };
}

/** A PAR client assertion with another aud FAPI 1.0 Advanced accepts (RFC 9126 §2, RFC 7523 §3). */
function parAudienceAccepted(aud: (client: VariantClient) => unknown): Scenario {
  return async ({ client1 }) => {
    const auth = await client1.tpp.clientAuth(client1.client, { aud: aud(client1) });
    const { par } = await client1.push({}, { auth });
    expect(par.status, JSON.stringify(par.body)).toBe(201);
  };
}

const FOREIGN_AUDIENCE = 'https://fapidev-rs.example.com/api/userinfo';

const scenarios: Record<string, Scenario | typeof ON_BANK_API> = {
  'discovery-end-point-verification': async ({ client1, sandbox }) => {
    const response = await fetch(`${client1.issuer}/.well-known/openid-configuration`, {
      dispatcher: sandbox.plain,
    });
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, string[] | string | boolean>;
    expect(metadata.issuer).toBe(client1.issuer);
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true);
    const fapi1Algs = ['PS256', 'ES256'];
    for (const list of [
      'id_token_signing_alg_values_supported',
      'token_endpoint_auth_signing_alg_values_supported',
      'request_object_signing_alg_values_supported',
      'authorization_signing_alg_values_supported',
    ]) {
      expect(
        (metadata[list] as string[]).some((alg) => fapi1Algs.includes(alg)),
        list,
      ).toBe(true);
    }
    expect(metadata.token_endpoint_auth_methods_supported).toContain(client1.variant.clientAuth);
    expect(metadata.response_types_supported).toEqual(expect.arrayContaining(['code id_token', 'code']));
    expect(metadata.response_modes_supported).toContain('jwt');
    expect(String(metadata.pushed_authorization_request_endpoint)).toMatch(/^https:\/\//);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    // By value too: request objects in the authorization request (FAPI 1.0 Adv §5.2.2-1).
    expect(metadata.request_parameter_supported).toBe(true);
    expect(metadata.require_pushed_authorization_requests ?? false).toBe(false);
    for (const name of ['token_endpoint', 'jwks_uri', 'authorization_endpoint']) {
      expect(String(metadata[name]), name).toMatch(/^https:\/\//);
    }
    expect(metadata.scopes_supported).toContain('openid');
    expect(metadata.subject_types_supported).toEqual(expect.any(Array));
  },

  // The happy flow: every request method and response mode for client 1; client 2 with the registered
  // query, a 128-character state, a 43-character nonce and typ in mixed case (media types compare
  // case-insensitively, RFC 9101 §10.8 / RFC 2045).
  '': async ({ client1, client2 }) => {
    for (const mode of ['hybrid-par', 'jarm-par', 'hybrid-by-value', 'jarm-by-value'] as Fapi1Mode[]) {
      const authorized = await authorizeFapi1(client1.tpp, client1.client, mode);
      const token = await client1.tpp.redeem(client1.client, authorized.code, authorized.pkce);
      expect(token.status, `${mode}: ${JSON.stringify(token.body)}`).toBe(200);
      expect(token.body.token_type).toBe('Bearer');
      expect(decodeJwt(String(token.body.access_token)).cnf).toEqual({ 'x5t#S256': expect.any(String) });
      expect(decodeJwt(String(token.body.id_token)).nonce).toBe(authorized.nonce);
    }
    const state = 'S'.repeat(128);
    const nonce = 'N'.repeat(43);
    const pushed = await client2.push(
      { state, nonce, redirect_uri: client2.tpp.participant.redirectUris[1]! },
      {
        requestObject: (message) => {
          message.header.typ = 'OautH-auThZ-REQ+jWt';
        },
      },
    );
    const visited = await client2.visit(pushed);
    expectCode(visited);
    expect(visited.response.state).toBe(state);
    expect(
      new URL(visited.visit.kind === 'redirect' ? visited.visit.url : '').searchParams.get('dummy1'),
    ).toBe('lorem');
    const token = await client2.redeem(visited);
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(decodeJwt(String(token.body.id_token)).nonce).toBe(nonce);
  },

  'user-rejects-authentication': common['user-rejects-authentication']!,

  'ensure-authorization-request-without-state-success':
    common['ensure-authorization-request-without-state-success']!,

  'ensure-valid-pkce-succeeds': async ({ client1 }) => {
    // By value: the signed request object in the authorization URL, with S256 PKCE inside.
    const pkce = client1.tpp.pkce();
    const params = await client1.params(pkce, { response_type: 'code id_token' });
    const url = new URL(`${client1.issuer}/authorize`);
    url.search = new URLSearchParams({
      client_id: client1.client.clientId,
      response_type: params.response_type!,
      scope: params.scope!,
      request: await client1.requestObject(params),
    }).toString();
    const visited = await client1.visit(
      { par: { status: 0, headers: new Headers(), body: {} }, params, pkce },
      url,
    );
    expectCode(visited);
    expect((await client1.redeem(visited)).status).toBe(200);
  },

  'ensure-other-scope-order-succeeds': common['ensure-other-scope-order-succeeds']!,
  'access-token-type-header-case-sensitivity': ON_BANK_API,

  'ensure-response-mode-query': async ({ client1 }) => {
    // A hybrid response must not travel in the query (OAuth 2.0 Multiple Response Types §5).
    const pushed = await client1.push({ response_mode: 'query' });
    if (pushed.par.status !== 201) {
      expectRefused(pushed.par, { status: 400, error: PAR_REFUSED_FIELDS });
      return;
    }
    const visited = await client1.visit(pushed);
    if (visited.visit.kind === 'redirect' && !visited.response.error) {
      expect(visited.visit.url.searchParams.get('code')).toBeNull();
      expect(visited.visit.url.searchParams.get('id_token')).toBeNull();
    } else {
      await expectAuthorizationRefused(client1, visited.visit, ['invalid_request']);
    }
  },

  'ensure-different-nonce-inside-and-outside-request-object':
    common['ensure-different-nonce-inside-and-outside-request-object']!,
  'ensure-registered-redirect-uri': common['ensure-registered-redirect-uri']!,
  'ensure-request-object-with-long-nonce': common['ensure-authorization-request-with-long-nonce']!,
  'ensure-request-object-with-64-char-nonce-success':
    common['ensure-authorization-request-with-64-char-nonce-success']!,
  'ensure-request-object-with-long-state': common['ensure-authorization-request-with-long-state']!,
  'ensure-request-object-without-exp-fails': requestObjectRefused(
    claims(() => ({ exp: undefined })),
    ['invalid_request_object'],
    /FAPI 1\.0 Adv section 5\.2\.2-13/,
  ),
  'ensure-request-object-without-nbf-fails': requestObjectRefused(
    claims(() => ({ nbf: undefined })),
    ['invalid_request_object'],
    /FAPI 1\.0 Adv section 5\.2\.2-13/,
  ),

  'ensure-request-object-without-scope-fails': async ({ client1 }) => {
    const { par } = await client1.push({ scope: undefined }, { outside: { scope: 'openid accounts' } });
    expectRefused(par, { status: 400, error: PAR_REFUSED_FIELDS, clause: /5\.2\.2-10/ });
  },

  'state-only-outside-request-object-not-used': common['state-only-outside-request-object-not-used']!,

  'ensure-request-object-without-nonce-fails': async ({ client1 }) => {
    const { par } = await client1.push(
      { nonce: undefined },
      { outside: { nonce: 'outside-the-request-object' } },
    );
    expectRefused(par, { status: 400, error: PAR_REFUSED_FIELDS, clause: /5\.2\.2\.2-1/ });
  },

  'ensure-request-object-without-redirect-uri-fails':
    common['ensure-request-object-without-redirect-uri-fails']!,
  'ensure-expired-request-object-fails': requestObjectRefused(
    claims((now) => ({ nbf: now - 3600, exp: now - 60 })),
  ),
  'ensure-request-object-with-bad-aud-fails': requestObjectRefused(
    claims(() => ({ aud: 'https://other.example.com' })),
    ['invalid_request_object'],
    /5\.2\.2-15/,
  ),
  'ensure-request-object-with-exp-over-60-fails': requestObjectRefused(
    claims((now) => ({ exp: now + 70 * 60 })),
    ['invalid_request_object'],
    /5\.2\.2-13/,
  ),
  'ensure-request-object-with-nbf-over-60-fails': requestObjectRefused(
    claims((now) => ({ nbf: now - 70 * 60 })),
    ['invalid_request_object'],
    /5\.2\.2-1[37]/,
  ),

  ...signedRequestScenarios(/8\.6/),

  'ensure-authorization-request-without-request-object-fails':
    common['ensure-unsigned-authorization-request-without-using-par-fails']!,
  'ensure-redirect-uri-in-authorization-request': common['ensure-redirect-uri-in-authorization-request']!,

  'ensure-response-type-code-fails': async ({ client1 }) => {
    // FAPI 1.0 Adv §5.2.2-2: response_type code only with response_mode=jwt (JARM).
    const { par } = await client1.push({ response_type: 'code' });
    expectRefused(par, {
      status: 400,
      error: ['unsupported_response_type', 'invalid_request', 'unauthorized_client'],
      clause: /5\.2\.2-2/,
    });
  },

  'ensure-client-id-in-token-endpoint': common['ensure-client-id-in-token-endpoint']!,
  'ensure-mtls-holder-of-key-required': common['ensure-holder-of-key-required']!,
  'ensure-authorization-code-is-bound-to-client': common['ensure-authorization-code-is-bound-to-client']!,
  'attempt-reuse-authorisation-code-after-one-second':
    common['attempt-reuse-authorization-code-after-one-second']!,
  'ensure-signed-client-assertion-with-RS256-fails':
    common['ensure-signed-client-assertion-with-RS256-fails']!,
  'ensure-client-assertion-in-token-endpoint': common['ensure-client-assertion-in-token-endpoint']!,
  'ensure-client-assertion-with-exp-is-5-minutes-in-past-fails':
    common['ensure-client-assertion-with-exp-is-5-minutes-in-past-fails']!,
  'ensure-client-assertion-with-wrong-aud-fails': common['ensure-client-assertion-with-wrong-aud-fails']!,
  'ensure-client-assertion-with-no-sub-fails': common['ensure-client-assertion-with-no-sub-fails']!,
  'ensure-client-assertion-with-wrong-iss-fails': tokenAssertionRefused(
    () => ({ iss: 'https://not-this-client.example.com' }),
    ['invalid_client', 'invalid_request'],
  ),
  'ensure-client-assertion-with-wrong-sub-fails': tokenAssertionRefused(
    () => ({ sub: 'not-this-client' }),
    ['invalid_client', 'invalid_request'],
  ),

  'ensure-client-assertion-with-iss-aud-succeeds': async ({ client1 }) => {
    const visited = await client1.authorize();
    const token = await client1.redeem(visited, {
      auth: () => client1.tpp.clientAuth(client1.client, { aud: client1.issuer }),
    });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
  },

  'refresh-token': common['refresh-token']!,
  'ensure-server-handles-non-matching-intent-id': common['ensure-server-handles-non-matching-intent-id']!,
  'test-essential-acr-sca-claim': common['test-essential-acr-sca-claim']!,
  'par-ensure-reused-request-uri-prior-to-auth-completion-succeeds':
    common['par-ensure-reused-request-uri-prior-to-auth-completion-succeeds']!,
  'par-attempt-reuse-request_uri': common['par-attempt-reuse-request_uri']!,
  'par-attempt-to-use-expired-request_uri': common['par-attempt-to-use-expired-request_uri']!,
  'par-test-pushed-authorization-url-as-audience-for-client-JWT-assertion': parAudienceAccepted((client) =>
    client.tpp.endpoint(client.client, '/par'),
  ),
  'par-token-endpoint-url-as-audience-for-client-JWT-assertion': parAudienceAccepted((client) =>
    client.tpp.endpoint(client.client, '/token'),
  ),

  'test-array-as-audience-for-client-JWT-assertion': async ({ client1 }) => {
    const aud = [client1.issuer, 'https://other.example.com'];
    const auth = await client1.tpp.clientAuth(client1.client, { aud });
    const visited = await client1.visit(await client1.push({}, { auth }));
    expectCode(visited);
    const token = await client1.redeem(visited, {
      auth: () => client1.tpp.clientAuth(client1.client, { aud }),
    });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
  },

  'par-ensure-client-assertion-with-wrong-aud-fails': parAssertionRefused(() => ({ aud: FOREIGN_AUDIENCE })),
  'par-ensure-client-assertion-with-wrong-iss-fails': parAssertionRefused(() => ({
    iss: 'https://not-this-client.example.com',
  })),
  'par-ensure-client-assertion-with-wrong-sub-fails': parAssertionRefused(() => ({ sub: 'not-this-client' })),
  'par-attempt-to-use-request_uri-for-different-client':
    common['par-attempt-to-use-request_uri-for-different-client']!,
  'par-authorization-request-containing-request_uri-form-param':
    common['par-authorization-request-containing-request_uri-form-param']!,
  'par-attempt-invalid-http-method': common['par-attempt-invalid-http-method']!,
  'par-ensure-pkce-required': common['par-ensure-pkce-required']!,
  'ensure-pkce-code-verifier-required': common['ensure-pkce-code-verifier-required']!,
  'incorrect-pkce-code-verifier-rejected': common['incorrect-pkce-code-verifier-rejected']!,
  'par-plain-pkce-rejected': common['par-plain-pkce-rejected']!,

  'par-pushed-authorization-url-as-audience-in-request-object': async ({ client1 }) => {
    // FAPI 1.0 Adv §5.2.2-15: a request object's aud is the issuer, not the PAR endpoint.
    const parUrl = client1.tpp.endpoint(client1.client, '/par');
    const { par } = await client1.push({}, { requestObject: claims(() => ({ aud: parUrl })) });
    expectRefused(par, { status: 400, error: 'invalid_request_object', clause: /5\.2\.2-15/ });
  },

  'par-attempt-invalid-redirect_uri': async ({ client1 }) => {
    const { par } = await client1.push({ redirect_uri: 'https://junk.io/junk/callback' });
    expectRefused(par, { status: 400, error: PAR_REFUSED_FIELDS, clause: EXPLAINED });
  },

  'par-authorization-request-containing-request_uri': requestObjectRefused(
    claims(() => ({ request_uri: 'urn:ietf:params:oauth:request_uri:conformance' })),
  ),

  'par-without-duplicate-parameters': common['par-without-duplicate-parameters']!,
};

runPlan(plan, run, scenarios);
