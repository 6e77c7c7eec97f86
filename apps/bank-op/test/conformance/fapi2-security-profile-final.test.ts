// The OpenID Foundation's FAPI 2.0 Security Profile (final) plan, module by module, for every variant the
// bank offers: one test per module × variant, named `<module id> [<client auth>, <sender constraint>]`
// so that `pnpm conformance` can report it. Each row does what the suite's module sends and accepts
// what the module accepts; the bank's resource-server half of a module lives in
// apps/bank-api/test/conformance.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { createExchange, pushAuthorizationRequest, verifyIdToken } from '@fapi-sandbox/fapi-client';
import { redirectOf } from '@fapi-sandbox/fapi-client/customer';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, importJWK, type JWK, SignJWT } from 'jose';
import { fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { profiles } from '../../src/profiles/index.js';
import { bankJwks } from '../support/flows.js';
import { DpopSession } from '../support/tpp.js';
import {
  advanceClock,
  type assertionClaims,
  conformanceSandbox,
  expectAuthorizationRefused,
  expectCode,
  expectRefused,
  type PlanClients,
  proofClaims,
  type VariantClient,
  type Visited,
} from './harness.js';
import { conformanceTestName, FAPI2_SECURITY_PROFILE as plan, variantsOf } from './modules.js';

const run = conformanceSandbox(plan, 'fapi2');

type Scenario = (clients: PlanClients) => Promise<void>;

/** Where a module's checks of the resource server run. */
const ON_BANK_API = 'apps/bank-api/test/conformance';

const PAR_REFUSED_FIELDS = ['invalid_request', 'invalid_request_object'];
const PAR_URI_ERRORS = ['invalid_request', 'invalid_request_object', 'invalid_request_uri', 'access_denied'];

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

/** A code redeemed with a client assertion bent one way: the suite's token-endpoint negatives. */
function tokenAssertionRefused(claims: Parameters<typeof assertionClaims>[0], errors: string[]): Scenario {
  return async ({ client1 }) => {
    const visited = await client1.authorize();
    const res = await client1.redeem(visited, {
      auth: async () =>
        client1.tpp.clientAuth(client1.client, { claims: claims(Math.floor(Date.now() / 1000)) }),
    });
    expectRefused(res, { status: [400, 401], error: errors });
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

/** A TLS handshake with the bank's token endpoint host limited to `versions`; resolves the protocol used. */
function handshake(client: VariantClient, versions: { min: tls.SecureVersion; max: tls.SecureVersion }) {
  const url = new URL(client.tpp.endpoint(client.client, '/token'));
  return new Promise<string>((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: Number(url.port),
      servername: url.hostname,
      ca: readFileSync(run.sandbox().config.ca.serverTrustBundle),
      minVersion: versions.min,
      maxVersion: versions.max,
      ...(client.tpp.usesCertificate(client.client)
        ? {
            cert: readFileSync(client.tpp.participant.transportCert),
            key: readFileSync(client.tpp.participant.transportKey),
          }
        : {}),
    });
    socket.once('secureConnect', () => {
      const protocol = `${socket.getProtocol()} ${socket.getCipher().name}`;
      socket.end();
      resolve(protocol);
    });
    socket.once('error', reject);
  });
}

const scenarios: Record<string, Scenario | typeof ON_BANK_API> = {
  'discovery-end-point-verification': async ({ client1 }) => {
    const url = `${client1.issuer}/.well-known/openid-configuration`;
    const response = await fetch(url, { dispatcher: run.sandbox().plain });
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

  'user-rejects-authentication': async ({ client1, client2 }) => {
    for (const [client, redirectUri] of [
      [client1, client1.tpp.participant.redirectUris[0]!],
      [client2, client2.tpp.participant.redirectUris[1]!],
    ] as const) {
      const state = 'S'.repeat(128);
      const pushed = await client.push({ state, redirect_uri: redirectUri });
      const visited = await client.visit(pushed, client.authorizationUrl(pushed), 'deny');
      expect(visited.response.error).toBe('access_denied');
      expect(visited.response.state).toBe(state);
      expect(visited.response.iss).toBe(client.issuer);
      expect(visited.response.code).toBeUndefined();
    }
  },

  'ensure-authorization-request-without-state-success': async ({ client1 }) => {
    const { visited } = await client1.tokens({ state: undefined });
    expect(visited.response).not.toHaveProperty('state');
  },

  'ensure-authorization-request-without-nonce-success': async ({ client1 }) => {
    const { token } = await client1.tokens({ nonce: undefined });
    expect(decodeJwt(String(token.body.id_token))).not.toHaveProperty('nonce');
  },

  'ensure-authorization-request-with-64-char-nonce-success': async ({ client1 }) => {
    const nonce = 'N'.repeat(64);
    const { token } = await client1.tokens({ nonce });
    expect(decodeJwt(String(token.body.id_token)).nonce).toBe(nonce);
  },

  'ensure-other-scope-order-succeeds': async ({ client1 }) => {
    // RFC 6749 §3.3: the order of scope values carries no meaning.
    const { token } = await client1.tokens({ scope: 'accounts openid' });
    expect(token.body.id_token).toEqual(expect.any(String));
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

  'ensure-different-nonce-inside-and-outside-request-object': async ({ client1 }) => {
    const pushed = await client1.push();
    const url = client1.authorizationUrl(pushed);
    url.searchParams.set('nonce', 'outside-the-pushed-request');
    const visited = await client1.visit(pushed, url);
    if (visited.response.code) {
      const token = await client1.redeem(visited);
      expect(decodeJwt(String(token.body.id_token)).nonce).toBe(pushed.params.nonce);
    } else {
      await expectAuthorizationRefused(client1, visited.visit, ['invalid_request']);
    }
  },

  'ensure-different-state-inside-and-outside-request-object': async ({ client1 }) => {
    const pushed = await client1.push();
    const url = client1.authorizationUrl(pushed);
    url.searchParams.set('state', 'outside-the-pushed-request');
    const visited = await client1.visit(pushed, url);
    if (visited.response.code) expect(visited.response.state).toBe(pushed.params.state);
    else await expectAuthorizationRefused(client1, visited.visit, ['invalid_request']);
  },

  'ensure-authorization-request-with-long-nonce': async ({ client1 }) => {
    // Never truncated: returned whole, or refused.
    const nonce = 'L'.repeat(384);
    const { token } = await client1.tokens({ nonce });
    expect(decodeJwt(String(token.body.id_token)).nonce).toBe(nonce);
  },

  'ensure-authorization-request-with-long-state': async ({ client1 }) => {
    const state = 'S'.repeat(1000);
    const { visited } = await client1.tokens({ state });
    expect(visited.response.state).toBe(state);
  },

  'state-only-outside-request-object-not-used': async ({ client1 }) => {
    const pushed = await client1.push({ state: undefined });
    const url = client1.authorizationUrl(pushed);
    url.searchParams.set('state', 'outside-the-pushed-request');
    const visited = await client1.visit(pushed, url);
    if (visited.response.code) expect(visited.response).not.toHaveProperty('state');
    else await expectAuthorizationRefused(client1, visited.visit, PAR_URI_ERRORS);
  },

  'ensure-request-object-without-redirect-uri-fails': async ({ client1 }) => {
    const { par } = await client1.push({ redirect_uri: undefined });
    expectRefused(par, { status: 400, error: PAR_REFUSED_FIELDS, clause: /5\.3\.2\.2-6/ });
  },

  'ensure-registered-redirect-uri': async ({ client1 }) => {
    const { par } = await client1.push({
      redirect_uri: `${client1.tpp.participant.redirectUris[0]}/${randomUUID()}`,
    });
    expectRefused(par, { status: 400, error: PAR_REFUSED_FIELDS, clause: /5\.3\.2\.2-6/ });
  },

  'ensure-unsigned-authorization-request-without-using-par-fails': async ({ client1 }) => {
    const url = new URL(`${client1.issuer}/authorize`);
    url.search = new URLSearchParams(client1.params(client1.tpp.pkce())).toString();
    const visit = await client1.tpp.newBrowser().open(url);
    await expectAuthorizationRefused(client1, visit, ['invalid_request']);
  },

  'ensure-redirect-uri-in-authorization-request': async ({ client1 }) => {
    // The bank requires redirect_uri even with one registered URI (FAPI 2.0 SP §5.3.2.2-6).
    const { par } = await client1.push({ redirect_uri: undefined });
    expectRefused(par, { status: 400, error: PAR_REFUSED_FIELDS, clause: /5\.3\.2\.2-6/ });
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

  'ensure-client-id-in-token-endpoint': async ({ client1, client2 }) => {
    const visited = await client1.authorize();
    const other = client2.client.clientId;
    // private_key_jwt: client 2's identity in an assertion signed with client 1's key; mTLS: client 1's
    // certificate naming client 2.
    const res = await client1.redeem(visited, {
      auth: async () =>
        client1.variant.clientAuth === 'private_key_jwt'
          ? client1.tpp.clientAuth(client1.client, { claims: { iss: other, sub: other } })
          : { client_id: other },
    });
    expectRefused(res, { status: [400, 401], error: ['invalid_client', 'invalid_grant'] });
  },

  'ensure-holder-of-key-required': async ({ client1 }) => {
    // TLS 1.2 (with a BCP 195 ECDHE-GCM suite) or 1.3 is spoken; TLS 1.0 and 1.1 are refused.
    expect(await handshake(client1, { min: 'TLSv1.2', max: 'TLSv1.2' })).toMatch(
      /^TLSv1\.2 ECDHE-\w+-AES\d+-GCM/,
    );
    await expect(handshake(client1, { min: 'TLSv1', max: 'TLSv1.1' })).rejects.toThrow();
    const visited = await client1.authorize();
    if (client1.dpopBound) {
      const res = await client1.redeem(visited, { dpop: undefined });
      expectRefused(res, { status: 400, error: ['invalid_request', 'invalid_grant', 'invalid_dpop_proof'] });
      return;
    }
    // No certificate: the top-level token endpoint, over a TLS client that presents none.
    const res = await client1.redeem(visited, { agent: run.sandbox().plain, url: `${client1.issuer}/token` });
    expectRefused(res, {
      status: [400, 401],
      error:
        client1.variant.clientAuth === 'tls_client_auth'
          ? ['invalid_client', 'invalid_request']
          : ['invalid_client', 'invalid_grant', 'invalid_request'],
    });
  },

  'ensure-authorization-code-is-bound-to-client': async ({ client1, client2 }) => {
    const visited = await client1.authorize();
    const res = await client2.redeem(visited, { dpop: await client2.newDpop() });
    expectRefused(res, { status: 400, error: 'invalid_grant', clause: /RFC 6749 section 4\.1\.3/ });
  },

  'attempt-reuse-authorization-code-after-one-second': async ({ client1 }) => {
    const visited = await client1.authorize();
    expect((await client1.redeem(visited)).status).toBe(200);
    advanceClock(1);
    const again = await client1.redeem(visited);
    expectRefused(again, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.2-9/ });
  },

  'ensure-token-endpoint-fails-with-expired-auth-code': async ({ client1 }) => {
    const visited = await client1.authorize();
    advanceClock(62);
    const res = await client1.redeem(visited);
    expectRefused(res, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.1-11/ });
  },

  'ensure-signed-client-assertion-with-RS256-fails': async ({ client1 }) => {
    const visited = await client1.authorize();
    const res = await client1.redeem(visited, { auth: () => rs256Assertion(client1) });
    expectRefused(res, { status: [400, 401], error: 'invalid_client', clause: /5\.4\.1-1/ });
  },

  'ensure-client-assertion-in-token-endpoint': async ({ client1 }) => {
    const visited = await client1.authorize();
    const res = await client1.redeem(visited, { auth: async () => ({ client_id: client1.client.clientId }) });
    expectRefused(res, { status: [400, 401], error: ['invalid_client', 'invalid_request'] });
  },

  'ensure-client-assertion-with-exp-is-5-minutes-in-past-fails': tokenAssertionRefused(
    (now) => ({ iat: now - 360, exp: now - 300 }),
    ['invalid_client', 'invalid_request'],
  ),

  'ensure-client-assertion-with-wrong-aud-fails': tokenAssertionRefused(
    () => ({ aud: 'https://fapidev-rs.authlete.net/api/userinfo' }),
    ['invalid_client', 'invalid_request'],
  ),

  'ensure-client-assertion-with-no-sub-fails': tokenAssertionRefused(
    () => ({ sub: undefined }),
    ['invalid_client', 'invalid_request'],
  ),

  'dpop-negative-tests': ON_BANK_API,

  'refresh-token': async ({ client1, client2 }) => {
    const { visited, token } = await client1.tokens();
    const refreshToken = String(token.body.refresh_token);
    // RFC 6749 Appendix A.17: refresh-token characters.
    expect(refreshToken).toMatch(/^[\x20-\x7e]+$/);
    const refresh = (options: Parameters<VariantClient['tpp']['token']>[2] = {}) =>
      client1.tpp.token(
        client1.client,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        options,
      );
    // A new DPoP key each time: refresh tokens of confidential clients are not DPoP-bound (RFC 9449 §5).
    const refreshed = await refresh({ ...(client1.dpopBound ? { dpop: await DpopSession.create() } : {}) });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.headers.get('cache-control')).toMatch(/no-store/);
    expect(refreshed.body.token_type).toBe(client1.dpopBound ? 'DPoP' : 'Bearer');
    expect(refreshed.body.access_token).not.toBe(token.body.access_token);
    expect(decodeJwt(String(refreshed.body.id_token)).sub).toBe(decodeJwt(String(token.body.id_token)).sub);
    // Not rotated (FAPI 2.0 SP §5.3.2.1-9): the same refresh token still works 30 s later.
    expect(refreshed.body.refresh_token ?? refreshToken).toBe(refreshToken);
    advanceClock(30);
    expect((await refresh({ ...(visited.dpop ? { dpop: await DpopSession.create() } : {}) })).status).toBe(
      200,
    );
    // Without client authentication, and without proof of possession.
    const unauthenticated =
      client1.variant.clientAuth === 'private_key_jwt'
        ? await refresh({
            auth: async () => ({ client_id: client1.client.clientId }),
            ...(await dpopOf(client1)),
          })
        : await refresh({ agent: run.sandbox().plain, url: `${client1.issuer}/token` });
    expectRefused(unauthenticated, {
      status: [400, 401],
      error: ['invalid_client', 'invalid_grant', 'invalid_request'],
    });
    const withoutProof = client1.dpopBound
      ? await refresh()
      : await refresh({ agent: run.sandbox().plain, url: `${client1.issuer}/token` });
    expectRefused(withoutProof, {
      status: [400, 401],
      error: ['invalid_client', 'invalid_grant', 'invalid_request', 'invalid_dpop_proof'],
    });
    // Client 2's refresh token used by client 1.
    const { token: theirs } = await client2.tokens();
    const stolen = await client1.tpp.token(
      client1.client,
      { grant_type: 'refresh_token', refresh_token: String(theirs.body.refresh_token) },
      await dpopOf(client1),
    );
    expectRefused(stolen, { status: 400, error: 'invalid_grant' });
  },

  'ensure-server-handles-non-matching-intent-id': async ({ client1, client2 }) => {
    // Client 1's consent (intent) in client 2's request.
    const pkce = client2.tpp.pkce();
    const foreign = client2.tpp.authorizationParams(
      client2.client,
      client1.tpp.accountConsent(client1.client),
      pkce,
    );
    const par = await client2.tpp.par(client2.client, foreign, await dpopOf(client2));
    if (par.status !== 201) {
      expectRefused(par, { status: 400, error: PAR_URI_ERRORS });
      return;
    }
    const visited = await client2.visit({ par, params: foreign, pkce });
    await expectAuthorizationRefused(client2, visited.visit, PAR_URI_ERRORS);
  },

  'test-essential-acr-sca-claim': async ({ client1 }) => {
    // The client's claims request asks for acr urn:openbanking:psd2:sca as essential.
    const { visited, token } = await client1.tokens();
    expect(JSON.parse(visited.params.claims!).id_token.acr).toEqual({
      essential: true,
      values: ['urn:openbanking:psd2:sca'],
    });
    expect(decodeJwt(String(token.body.id_token)).acr).toBe('urn:openbanking:psd2:sca');
  },

  'par-ensure-reused-request-uri-prior-to-auth-completion-succeeds': async ({ client1 }) => {
    const pushed = await client1.push();
    const url = client1.authorizationUrl(pushed);
    // The first visit stops at the sign-in page; the second signs in and completes.
    const first = await client1.tpp.newBrowser().open(url);
    expect(first.kind).toBe('page');
    const visited = await client1.visit(pushed, url);
    expectCode(visited);
    expect((await client1.redeem(visited)).status).toBe(200);
  },

  'par-attempt-reuse-request_uri': async ({ client1 }) => {
    const visited = await client1.authorize();
    const again = await client1.tpp.newBrowser().open(client1.authorizationUrl(visited));
    await expectAuthorizationRefused(client1, again, ['invalid_request_uri']);
  },

  'par-attempt-to-use-expired-request_uri': async ({ client1 }) => {
    const pushed = await client1.push();
    expect(pushed.par.body.expires_in).toBe(profiles.fapi2.provider.requestUriSeconds);
    advanceClock(profiles.fapi2.provider.requestUriSeconds + 1);
    const visit = await client1.tpp.newBrowser().open(client1.authorizationUrl(pushed));
    await expectAuthorizationRefused(client1, visit, ['invalid_request_uri']);
  },

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

  'par-attempt-to-use-request_uri-for-different-client': async ({ client1, client2 }) => {
    const pushed = await client1.push();
    const visit = await client1.tpp
      .newBrowser()
      .open(client2.tpp.authorizationUrl(client2.client, String(pushed.par.body.request_uri)));
    await expectAuthorizationRefused(client1, visit, [
      'invalid_request',
      'invalid_request_object',
      'invalid_request_uri',
    ]);
  },

  'par-authorization-request-containing-request_uri-form-param': async ({ client1 }) => {
    const { par } = await client1.push({ request_uri: 'urn:ietf:params:oauth:request_uri:conformance' });
    expectRefused(par, {
      status: 400,
      error: ['invalid_request', 'invalid_request_object', 'request_uri_not_supported'],
    });
  },

  'par-attempt-invalid-http-method': async ({ client1 }) => {
    const url = client1.tpp.endpoint(client1.client, '/par');
    const res = await fetch(url, { method: 'PUT', dispatcher: client1.tpp.dispatcher(client1.client) });
    // RFC 9126 §2.1 (POST only), RFC 9110 §15.5.6.
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    await res.body?.cancel();
  },

  'par-ensure-pkce-required': async ({ client1 }) => {
    const { par } = await client1.push({ code_challenge: undefined, code_challenge_method: undefined });
    expectRefused(par, { status: 400, error: 'invalid_request', clause: /5\.3\.2\.2-5/ });
  },

  'ensure-pkce-code-verifier-required': async ({ client1 }) => {
    const visited = await client1.authorize();
    const params = tokenParams(client1, visited);
    delete params.code_verifier;
    const res = await client1.tpp.token(client1.client, params, await dpopOf(client1, visited));
    expectRefused(res, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.2-5/ });
  },

  'incorrect-pkce-code-verifier-rejected': async ({ client1 }) => {
    const visited = await client1.authorize();
    const res = await client1.tpp.token(
      client1.client,
      { ...tokenParams(client1, visited), code_verifier: client1.tpp.pkce().codeVerifier },
      await dpopOf(client1, visited),
    );
    expectRefused(res, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.2-5/ });
  },

  'par-plain-pkce-rejected': async ({ client1 }) => {
    const { par } = await client1.push({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    expectRefused(par, { status: 400, error: 'invalid_request', clause: /5\.3\.2\.2-5/ });
  },

  'par-without-duplicate-parameters': async ({ client1 }) => {
    const pushed = await client1.push();
    const url = client1.authorizationUrl(pushed);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const visited = await client1.visit(pushed, url);
    expectCode(visited);
    expect((await client1.redeem(visited)).status).toBe(200);
  },

  'par-test-array-as-audience-fails': parAudienceRefused((client) => [client.issuer, 'https://example.com']),
  'par-test-par-endpoint-url-as-audience-fails': parAudienceRefused((client) =>
    client.tpp.endpoint(client.client, '/par'),
  ),
  'par-test-token-endpoint-url-as-audience-fails': parAudienceRefused((client) =>
    client.tpp.endpoint(client.client, '/token'),
  ),
};

/** The code-grant form of a visit. */
function tokenParams(client: VariantClient, visited: Visited): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    code: visited.response.code!,
    redirect_uri: visited.params.redirect_uri ?? client.tpp.participant.redirectUris[0]!,
    code_verifier: visited.pkce.codeVerifier,
  };
}

/** The DPoP option of a request: the visit's PAR key, or a fresh one; nothing for an mTLS variant. */
async function dpopOf(client: VariantClient, visited?: Visited): Promise<{ dpop?: DpopSession }> {
  if (!client.dpopBound) return {};
  return { dpop: visited?.dpop ?? (await DpopSession.create()) };
}

/** DPoP proofs at PAR and at the token endpoint with iat moved by `seconds`: accepted. */
function dpopIatShifted(seconds: number): Scenario {
  return async ({ client1 }) => {
    const shifted = proofClaims((now) => ({ iat: now + seconds }));
    const dpop = await DpopSession.create();
    const pkce = client1.tpp.pkce();
    const params = client1.params(pkce);
    const engineClient = await client1.tpp.engineClient(client1.client, { dpop });
    const par = await pushAuthorizationRequest(
      { exchange: createExchange({ bend: shifted }), bend: shifted },
      engineClient,
      { step: 'par', clause: 'RFC 9126 §2.1' },
      params,
      { signedRequest: false },
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

/** An assertion signed RS256 with the client's own RSA key (PKCS#1 v1.5 instead of PSS). */
async function rs256Assertion(client: VariantClient): Promise<Record<string, string>> {
  const jwks = JSON.parse(readFileSync(client.tpp.participant.signingJwks, 'utf8')) as { keys: JWK[] };
  const jwk = jwks.keys.find((key) => key.alg === 'PS256')!;
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({
    iss: client.client.clientId,
    sub: client.client.clientId,
    aud: client.issuer,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
  })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid! })
    .sign(await importJWK({ ...jwk, alg: 'RS256' }, 'RS256'));
  return {
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  };
}

describe(plan.title, () => {
  it('has a scenario, here or on bank-api, for every module that applies to the bank', () => {
    const applicable = plan.modules.filter((module) => variantsOf(plan, module).length > 0);
    const missing = applicable.filter((module) => !(module.id.slice(plan.id.length + 1) in scenarios));
    expect(missing.map((module) => module.id)).toEqual([]);
  });

  for (const module of plan.modules) {
    const scenario = scenarios[module.id.slice(plan.id.length + 1)];
    if (typeof scenario !== 'function') continue;
    for (const variant of variantsOf(plan, module)) {
      it(conformanceTestName(module.id, variant), () => scenario(run.clients(variant)));
    }
  }
});
