// The scenarios of the FAPI 2.0 Security Profile (final) plan's modules, by module name without the plan
// prefix: what fapi2-security-profile-final.test.ts runs for plain pushed requests, and
// fapi2-message-signing-final.test.ts for signed request objects (JAR) with JARM responses, whose plan
// reuses these modules. Each does what the suite's module sends and accepts what the module accepts.
import { randomUUID } from 'node:crypto';
import { createExchange, pushAuthorizationRequest, verifyIdToken } from '@fapi-sandbox/fapi-client';
import { redirectOf } from '@fapi-sandbox/fapi-client/customer';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader } from 'jose';
import { fetch } from 'undici';
import { expect } from 'vitest';
import { bankJwks } from '../support/flows.js';
import { DpopSession } from '../support/tpp.js';
import {
  advanceClock,
  expectCode,
  expectRefused,
  proofClaims,
  type VariantClient,
  type Visited,
} from './harness.js';
import { commonScenarios, ON_BANK_API, type Scenario, tokenParams } from './scenarios.js';

/** Client assertion audiences the FAPI 2.0 final plan refuses at PAR (SP §5.3.2.1-8: the issuer only). */
function parAudienceRefused(aud: (client: VariantClient) => unknown): Scenario {
  return async ({ client1 }) => {
    const auth = await client1.tpp.clientAuth(client1.client, { aud: aud(client1) });
    const { par } = await client1.push({}, { auth });
    expectRefused(par, {
      status: [400, 401],
      error: ['invalid_client', 'invalid_request'],
      clause: /5\.3\.2\.1-8/,
    });
  };
}

/** The customer ends up back at the client with `iss` and the state the client sent. */
function expectAuthorizationResponse(client: VariantClient, visited: Visited): void {
  expectCode(visited);
  // RFC 9207 / FAPI 2.0 SP §5.3.2.2-7: iss names the bank.
  expect(visited.response.iss).toBe(client.issuer);
  if (visited.params.state) expect(visited.response.state).toBe(visited.params.state);
  else expect(visited.response).not.toHaveProperty('state');
}

/** RFC 9126 §2.2: 201 with request_uri and expires_in (the suite accepts 5 s to a year). */
function expectPushed(visited: { par: { status: number; body: Record<string, unknown> } }): void {
  expect(visited.par.status, JSON.stringify(visited.par.body)).toBe(201);
  expect(visited.par.body.request_uri).toEqual(expect.any(String));
  expect(visited.par.body.expires_in).toBeGreaterThanOrEqual(5);
  expect(visited.par.body.expires_in).toBeLessThanOrEqual(365 * 24 * 3600);
}

/** FAPI 2.0 SP §5.4.1-4: codes and tokens carry at least 128 bits (here: 22+ base64url characters). */
function expectEntropy(value: unknown): void {
  expect(String(value).length).toBeGreaterThanOrEqual(22);
  expect(new Set(String(value)).size).toBeGreaterThan(10);
}

/** A whole flow as the happy-flow module runs it for one client. */
async function happyFlow(client: VariantClient, redirectUri: string): Promise<void> {
  const state = randomUUID().replaceAll('-', '').repeat(4);
  const nonce = 'n'.repeat(11) + randomUUID().replaceAll('-', '');
  expect([state.length, nonce.length]).toEqual([128, 43]);
  const visited = await client.visit(await client.push({ state, nonce, redirect_uri: redirectUri }));
  expectPushed(visited);
  expectAuthorizationResponse(client, visited);
  // The registered query (dummy1, dummy2) is kept; nothing of the response travels in a fragment.
  const landing = redirectOf(visited.visit).url;
  for (const [name, value] of new URL(redirectUri).searchParams)
    expect(landing.searchParams.get(name)).toBe(value);
  expect(landing.hash).toBe('');
  expectEntropy(visited.response.code);
  const token = await client.redeem(visited);
  expect(token.status, JSON.stringify(token.body)).toBe(200);
  expect(token.body.expires_in).toBeGreaterThan(0);
  expect(token.body.token_type).toBe(client.dpopBound ? 'DPoP' : 'Bearer');
  expectEntropy(token.body.access_token);
  expectEntropy(token.body.refresh_token);
  const idToken = String(token.body.id_token);
  expect(['PS256', 'ES256', 'EdDSA']).toContain(decodeProtectedHeader(idToken).alg);
  expect(decodeProtectedHeader(idToken).kid).toEqual(expect.any(String));
  await verifyIdToken({
    idToken,
    issuer: client.issuer,
    clientId: client.client.clientId,
    bankKeys: createLocalJWKSet(await bankJwks(client.tpp)),
    nonce,
    consentId: JSON.parse(visited.params.claims!).id_token.openbanking_intent_id.value,
  });
  expect(decodeJwt(String(token.body.access_token)).cnf).toEqual(
    client.dpopBound ? { jkt: visited.dpop!.key.jkt } : { 'x5t#S256': expect.any(String) },
  );
}

export const fapi2Scenarios: Record<string, Scenario | typeof ON_BANK_API> = {
  ...commonScenarios,
  'discovery-end-point-verification': async ({ client1, sandbox }) => {
    const url = `${client1.issuer}/.well-known/openid-configuration`;
    const response = await fetch(url, { dispatcher: sandbox.plain });
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(client1.issuer);
    for (const endpoint of [
      'authorization_endpoint',
      'token_endpoint',
      'jwks_uri',
      'pushed_authorization_request_endpoint',
    ]) {
      expect(String(metadata[endpoint]), endpoint).toMatch(/^https:\/\//);
    }
    expect(metadata.response_types_supported).toContain('code');
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    expect(metadata.scopes_supported).toContain('openid');
    expect(metadata.subject_types_supported).toEqual(expect.any(Array));
    expect(metadata.token_endpoint_auth_methods_supported).toContain(client1.variant.clientAuth);
    const fapiAlgs = ['PS256', 'ES256', 'EdDSA', 'Ed25519'];
    for (const list of [
      'id_token_signing_alg_values_supported',
      'token_endpoint_auth_signing_alg_values_supported',
    ]) {
      expect(
        (metadata[list] as string[]).some((alg) => fapiAlgs.includes(alg)),
        list,
      ).toBe(true);
    }
    if (client1.dpopBound) {
      expect(
        (metadata.dpop_signing_alg_values_supported as string[]).some((alg) => fapiAlgs.includes(alg)),
      ).toBe(true);
    } else {
      expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true);
    }
    // RFC 8705 §5: aliases only for endpoints that exist at the top level, never the authorization endpoint.
    const aliases = metadata.mtls_endpoint_aliases as Record<string, string>;
    expect(aliases).not.toHaveProperty('authorization_endpoint');
    for (const name of Object.keys(aliases)) expect(metadata, name).toHaveProperty(name);
    expect(metadata.grant_types_supported).toContain('refresh_token');
  },

  'happy-flow': async ({ client1, client2 }) => {
    await happyFlow(client1, client1.tpp.participant.redirectUris[0]!);
    await happyFlow(client2, client2.tpp.participant.redirectUris[1]!);
  },

  'ensure-authorization-request-without-nonce-success': async ({ client1 }) => {
    const { token } = await client1.tokens({ nonce: undefined });
    expect(decodeJwt(String(token.body.id_token))).not.toHaveProperty('nonce');
  },

  'access-token-type-header-case-sensitivity': ON_BANK_API,

  'check-dpop-proof-nbf-exp': async ({ client1 }) => {
    const visited = await client1.authorize();
    const res = await client1.tokenBent(
      tokenParams(client1, visited),
      proofClaims((now) => ({ nbf: now, exp: now + 300 })),
      visited.dpop,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  },

  'ensure-dpopproof-with-iat-10seconds-before-succeeds': dpopIatShifted(-10),
  'ensure-dpopproof-with-iat-10seconds-after-succeeds': dpopIatShifted(8),

  'ensure-mismatched-dpop-jkt-fails': async ({ client1 }) => {
    const stranger = await DpopSession.create();
    const { par } = await client1.push({ dpop_jkt: stranger.key.jkt });
    expectRefused(par, {
      status: 400,
      error: ['invalid_request', 'invalid_dpop_proof'],
      clause: /5\.3\.2\.1-12/,
    });
  },

  'ensure-token-endpoint-fails-with-mismatched-dpop-proof-jkt': async ({ client1 }) => {
    const visited = await client1.authorize();
    const res = await client1.redeem(visited, { dpop: await DpopSession.create() });
    expectRefused(res, { status: 400, error: ['invalid_request', 'invalid_grant', 'invalid_dpop_proof'] });
  },

  'ensure-token-endpoint-fails-with-mismatched-dpop-jkt': async ({ client1 }) => {
    const bound = await DpopSession.create();
    const visited = await client1.authorize({ dpop_jkt: bound.key.jkt }, { dpop: null });
    const res = await client1.redeem(visited, { dpop: await DpopSession.create() });
    expectRefused(res, { status: 400, error: ['invalid_request', 'invalid_grant', 'invalid_dpop_proof'] });
  },

  'ensure-dpopproof-at-par-endpoint-binding-success': async ({ client1 }) => {
    const { visited, token } = await client1.tokens();
    expect(decodeJwt(String(token.body.access_token)).cnf).toEqual({ jkt: visited.dpop!.key.jkt });
  },

  'ensure-dpop-auth-code-binding-success': async ({ client1 }) => {
    const dpop = await DpopSession.create();
    const visited = await client1.authorize({ dpop_jkt: dpop.key.jkt }, { dpop });
    const token = await client1.redeem(visited);
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(decodeJwt(String(token.body.access_token)).cnf).toEqual({ jkt: dpop.key.jkt });
  },

  'ensure-response-type-code-idtoken-fails': async ({ client1 }) => {
    const { par } = await client1.push({ response_type: 'code id_token' });
    expectRefused(par, {
      status: 400,
      error: ['unsupported_response_type', 'invalid_request', 'unauthorized_client'],
      clause: /5\.3\.2\.2-1/,
    });
  },

  'ensure-response-type-token-fails': async ({ client1 }) => {
    const { par } = await client1.push({ response_type: 'token' });
    expectRefused(par, {
      status: 400,
      error: ['unsupported_response_type', 'invalid_request', 'unauthorized_client'],
    });
  },

  'ensure-token-endpoint-fails-with-expired-auth-code': async ({ client1 }) => {
    const visited = await client1.authorize();
    advanceClock(62);
    const res = await client1.redeem(visited);
    expectRefused(res, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.1-11/ });
  },

  'dpop-negative-tests': ON_BANK_API,

  'par-ensure-jwt-client-assertions-nbf-8-seconds-in-the-future-is-accepted': async ({ client1 }) => {
    const now = Math.floor(Date.now() / 1000);
    const auth = await client1.tpp.clientAuth(client1.client, {
      claims: { iat: now + 8, nbf: now + 8, exp: now + 68 },
    });
    const { par } = await client1.push({}, { auth });
    expect(par.status, JSON.stringify(par.body)).toBe(201);
  },

  'par-ensure-jwt-client-assertions-nbf-over-60-seconds-in-the-future-fails': async ({ client1 }) => {
    const now = Math.floor(Date.now() / 1000);
    const auth = await client1.tpp.clientAuth(client1.client, {
      claims: { iat: now + 62, nbf: now + 62, exp: now + 122 },
    });
    const { par } = await client1.push({}, { auth });
    expectRefused(par, {
      status: [400, 401],
      error: ['invalid_client', 'invalid_request'],
      clause: /5\.3\.2\.1-13/,
    });
  },

  'par-test-array-as-audience-fails': parAudienceRefused((client) => [client.issuer, 'https://example.com']),
  'par-test-par-endpoint-url-as-audience-fails': parAudienceRefused((client) =>
    client.tpp.endpoint(client.client, '/par'),
  ),
  'par-test-token-endpoint-url-as-audience-fails': parAudienceRefused((client) =>
    client.tpp.endpoint(client.client, '/token'),
  ),
};

/** DPoP proofs at PAR and at the token endpoint with iat moved by `seconds`: accepted. */
function dpopIatShifted(seconds: number): Scenario {
  return async ({ client1 }) => {
    const shifted = proofClaims((now) => ({ iat: now + seconds }));
    const dpop = await DpopSession.create();
    const pkce = client1.tpp.pkce();
    // The request object (Message Signing) names the client itself; the plain form gets client_id added.
    const { client_id: _clientId, ...params } = await client1.params(pkce, client1.requestDefaults);
    const engineClient = await client1.tpp.engineClient(client1.client, { dpop });
    const par = await pushAuthorizationRequest(
      { exchange: createExchange({ bend: shifted }), bend: shifted },
      engineClient,
      { step: 'par', clause: 'RFC 9126 §2.1' },
      params,
      { signedRequest: client1.signsRequests },
    );
    expect(par.status, par.text).toBe(201);
    const visited = await client1.visit({
      par: {
        status: par.status,
        headers: new Headers(par.headers),
        body: par.body as Record<string, unknown>,
      },
      params,
      pkce,
      dpop,
    });
    expectCode(visited);
    const token = await client1.tokenBent(tokenParams(client1, visited), shifted, dpop);
    expect(token.status, JSON.stringify(token.body)).toBe(200);
  };
}
