// The conformance modules both plans share (FAPI 2.0 SP final and FAPI 1.0 Advanced final run the same
// module under the same or a near name), written once: a FAPI 1.0 Advanced client pushes a signed request
// object where a FAPI 2.0 client pushes plain parameters (VariantClient.push), and the rest is the same
// flow. The refusals are judged by what the suite accepts, and the bank's explanation must name a clause
// and a fix (EXPLAINED) where the bank writes one.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { AsymmetricKeyInput } from '@fapi-sandbox/fapi-core/jose/algorithms';
import { decodeJwt, importJWK, type JWK, SignJWT, UnsecuredJWT } from 'jose';

import { fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { profiles } from '../../src/profiles/index.js';
import type { Sandbox } from '../support/sandbox.js';
import { DpopSession } from '../support/tpp.js';
import {
  advanceClock,
  type assertionClaims,
  type conformanceSandbox,
  expectAuthorizationRefused,
  expectCode,
  expectRefused,
  type PlanClients,
  type VariantClient,
  type Visited,
} from './harness.js';
import { conformanceTestName, type Plan, variantsOf } from './modules.js';

export type Scenario = (clients: PlanClients) => Promise<void>;

/** The bank's error_description names the clause it applied ("… section 5.3.2.2-5 …") and a fix. */
export const EXPLAINED = /section [\d.]+/;

/** Where a module's checks of the resource server run. */
export const ON_BANK_API = 'apps/bank-api/test/conformance';

export const PAR_REFUSED_FIELDS = ['invalid_request', 'invalid_request_object'];
export const PAR_URI_ERRORS = [
  'invalid_request',
  'invalid_request_object',
  'invalid_request_uri',
  'access_denied',
];

/** A code redeemed with a client assertion bent one way: the suite's token-endpoint negatives. */
export function tokenAssertionRefused(
  claims: Parameters<typeof assertionClaims>[0],
  errors: string[],
): Scenario {
  return async ({ client1 }) => {
    const visited = await client1.authorize();
    const res = await client1.redeem(visited, {
      auth: async () =>
        client1.tpp.clientAuth(client1.client, { claims: claims(Math.floor(Date.now() / 1000)) }),
    });
    expectRefused(res, { status: [400, 401], error: errors });
  };
}

/** A TLS handshake with the bank's token endpoint host limited to `versions`; resolves the protocol used. */
function handshake(
  sandbox: Sandbox,
  client: VariantClient,
  versions: { min: tls.SecureVersion; max: tls.SecureVersion },
) {
  const url = new URL(client.tpp.endpoint(client.client, '/token'));
  return new Promise<string>((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: Number(url.port),
      servername: url.hostname,
      ca: readFileSync(sandbox.config.ca.serverTrustBundle),
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

/** The code-grant form of a visit. */
export function tokenParams(client: VariantClient, visited: Visited): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    code: visited.response.code!,
    redirect_uri: visited.params.redirect_uri ?? client.tpp.participant.redirectUris[0]!,
    code_verifier: visited.pkce.codeVerifier,
  };
}

/** The DPoP option of a request: the visit's PAR key, or a fresh one; nothing for an mTLS variant. */
export async function dpopOf(client: VariantClient, visited?: Visited): Promise<{ dpop?: DpopSession }> {
  if (!client.dpopBound) return {};
  return { dpop: visited?.dpop ?? (await DpopSession.create()) };
}

/** An assertion signed RS256 with the client's own RSA key (PKCS#1 v1.5 instead of PSS). */
async function rs256Assertion(client: VariantClient): Promise<Record<string, string>> {
  const { key, kid } = await rs256Key(client);
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({
    iss: client.client.clientId,
    sub: client.client.clientId,
    aud: client.issuer,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
  })
    .setProtectedHeader({ alg: 'RS256', kid })
    .sign(key);
  return {
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  };
}

/** The client's own RSA signing key, for RSASSA-PKCS1-v1_5 (RS256) instead of PSS: what FAPI forbids. */
export async function rs256Key(client: VariantClient): Promise<{ key: AsymmetricKeyInput; kid: string }> {
  const jwks = JSON.parse(readFileSync(client.tpp.participant.signingJwks, 'utf8')) as { keys: JWK[] };
  const jwk = jwks.keys.find((key) => key.alg === 'PS256')!;
  return { key: (await importJWK({ ...jwk, alg: 'RS256' }, 'RS256')) as AsymmetricKeyInput, kid: jwk.kid! };
}

type RequestObjectBend = NonNullable<Parameters<VariantClient['push']>[1]>['requestObject'];

/** A pushed request object bent before signing: PAR answers 400 with one of `errors`. */
export function requestObjectRefused(
  bend: RequestObjectBend,
  errors: string[] = ['invalid_request_object'],
  clause: RegExp = EXPLAINED,
): Scenario {
  return async ({ client1 }) => {
    const { par } = await client1.push({}, { requestObject: bend });
    expectRefused(par, { status: 400, error: errors, clause });
  };
}

/** The request object's claims changed (undefined removes one); `now` in seconds. */
export function claims(change: (now: number) => Record<string, unknown>): RequestObjectBend {
  return (message) => {
    const now = Math.floor(Date.now() / 1000);
    for (const [name, value] of Object.entries(change(now))) {
      if (value === undefined) delete message.claims[name];
      else message.claims[name] = value;
    }
  };
}

/**
 * The signed request object's modules both signing plans run (FAPI 1.0 Advanced, FAPI 2.0 Message
 * Signing): an aud array with the issuer accepted; RS256, alg none, a corrupted signature, another
 * client's key refused. `rs256Clause` is the profile's
 * algorithm rule (FAPI 1.0 Adv §8.6, FAPI 2.0 SP §5.4.1).
 */
export function signedRequestScenarios(rs256Clause: RegExp): Record<string, Scenario> {
  return {
    'ensure-request-object-with-multiple-aud-succeeds': async ({ client1 }) => {
      const pushed = await client1.push(
        {},
        { requestObject: claims(() => ({ aud: [client1.issuer, 'https://other1.example.com', 'invalid'] })) },
      );
      const visited = await client1.visit(pushed);
      expectCode(visited);
      expect((await client1.redeem(visited)).status).toBe(200);
    },

    'ensure-signed-request-object-with-RS256-fails': async ({ client1 }) => {
      // The client's own RSA key with RSASSA-PKCS1-v1_5 (RS256) instead of RSASSA-PSS.
      const { key, kid } = await rs256Key(client1);
      const { par } = await client1.push(
        {},
        {
          requestObject: (message) => {
            message.header = { ...message.header, alg: 'RS256', kid };
            message.key = { key, alg: 'RS256' };
          },
        },
      );
      expectRefused(par, { status: 400, error: 'invalid_request_object', clause: rs256Clause });
    },

    'ensure-request-object-signature-algorithm-is-not-none': async ({ client1 }) => {
      const params = await client1.params(client1.tpp.pkce(), client1.requestDefaults);
      const signed = decodeJwt(await client1.requestObject(params));
      const { par } = await client1.push({}, { outside: { request: new UnsecuredJWT(signed).encode() } });
      expectRefused(par, { status: 400, error: 'invalid_request_object' });
    },

    'ensure-request-object-with-invalid-signature-fails': async ({ client1 }) => {
      const params = await client1.params(client1.tpp.pkce(), client1.requestDefaults);
      const signed = await client1.requestObject(params);
      const corrupted = `${signed.slice(0, -6)}${signed.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;
      const { par } = await client1.push({}, { outside: { request: corrupted } });
      expectRefused(par, { status: 400, error: 'invalid_request_object', clause: EXPLAINED });
    },

    'ensure-matching-key-in-authorization-request': async ({ client1, client2 }) => {
      // Client 1's request object, signed with client 2's key.
      const theirs = (await client2.tpp.signingKeys()).forAlg('PS256');
      const { par } = await client1.push(
        {},
        {
          requestObject: (message) => {
            message.key = { key: theirs.key, alg: theirs.alg };
            message.header.kid = theirs.kid;
          },
        },
      );
      expectRefused(par, { status: 400, error: PAR_REFUSED_FIELDS });
    },
  };
}

/** The scenarios of modules both plans run, by their FAPI 2.0 SP names. */
export const commonScenarios: Record<string, Scenario> = {
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
    // A front-channel ID token (FAPI 1.0 hybrid) has no s_hash without a state.
    if (visited.response.id_token) expect(decodeJwt(visited.response.id_token)).not.toHaveProperty('s_hash');
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
    expectRefused(par, { status: 400, error: PAR_REFUSED_FIELDS, clause: EXPLAINED });
  },

  'ensure-registered-redirect-uri': async ({ client1 }) => {
    const { par } = await client1.push({
      redirect_uri: `${client1.tpp.participant.redirectUris[0]}/${randomUUID()}`,
    });
    expectRefused(par, { status: 400, error: PAR_REFUSED_FIELDS, clause: EXPLAINED });
  },

  'ensure-unsigned-authorization-request-without-using-par-fails': async ({ client1 }) => {
    const url = new URL(`${client1.issuer}/authorize`);
    url.search = new URLSearchParams(await client1.params(client1.tpp.pkce())).toString();
    const visit = await client1.tpp.newBrowser().open(url);
    await expectAuthorizationRefused(client1, visit, ['invalid_request']);
  },

  'ensure-redirect-uri-in-authorization-request': async ({ client1 }) => {
    // The bank requires redirect_uri even with one registered URI (FAPI 2.0 SP §5.3.2.2-6).
    const { par } = await client1.push({ redirect_uri: undefined });
    expectRefused(par, { status: 400, error: PAR_REFUSED_FIELDS, clause: EXPLAINED });
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

  'ensure-holder-of-key-required': async ({ client1, sandbox }) => {
    // TLS 1.2 (with a BCP 195 ECDHE-GCM suite) or 1.3 is spoken; TLS 1.0 and 1.1 are refused.
    expect(await handshake(sandbox, client1, { min: 'TLSv1.2', max: 'TLSv1.2' })).toMatch(
      /^TLSv1\.2 ECDHE-\w+-AES\d+-GCM/,
    );
    await expect(handshake(sandbox, client1, { min: 'TLSv1', max: 'TLSv1.1' })).rejects.toThrow();
    const visited = await client1.authorize();
    if (client1.dpopBound) {
      const res = await client1.redeem(visited, { dpop: undefined });
      expectRefused(res, { status: 400, error: ['invalid_request', 'invalid_grant', 'invalid_dpop_proof'] });
      return;
    }
    // No certificate: the top-level token endpoint, over a TLS client that presents none.
    const res = await client1.redeem(visited, { agent: sandbox.plain, url: `${client1.issuer}/token` });
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
    expectRefused(again, { status: 400, error: 'invalid_grant', clause: EXPLAINED });
  },

  'ensure-signed-client-assertion-with-RS256-fails': async ({ client1 }) => {
    const visited = await client1.authorize();
    const res = await client1.redeem(visited, { auth: () => rs256Assertion(client1) });
    expectRefused(res, { status: [400, 401], error: 'invalid_client', clause: EXPLAINED });
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

  'refresh-token': async ({ client1, client2, sandbox }) => {
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
        : await refresh({ agent: sandbox.plain, url: `${client1.issuer}/token` });
    expectRefused(unauthenticated, {
      status: [400, 401],
      error: ['invalid_client', 'invalid_grant', 'invalid_request'],
    });
    const withoutProof = client1.dpopBound
      ? await refresh()
      : await refresh({ agent: sandbox.plain, url: `${client1.issuer}/token` });
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
      await client1.tpp.accountConsent(client1.client),
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
    expect(pushed.par.body.expires_in).toBe(profiles[client1.client.profile].provider.requestUriSeconds);
    advanceClock(profiles[client1.client.profile].provider.requestUriSeconds + 1);
    const visit = await client1.tpp.newBrowser().open(client1.authorizationUrl(pushed));
    await expectAuthorizationRefused(client1, visit, ['invalid_request_uri']);
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
    const { par } = await client1.push(
      {},
      { outside: { request_uri: 'urn:ietf:params:oauth:request_uri:conformance' } },
    );
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
    expectRefused(par, { status: 400, error: 'invalid_request', clause: EXPLAINED });
  },

  'ensure-pkce-code-verifier-required': async ({ client1 }) => {
    const visited = await client1.authorize();
    const params = tokenParams(client1, visited);
    delete params.code_verifier;
    const res = await client1.tpp.token(client1.client, params, await dpopOf(client1, visited));
    expectRefused(res, { status: 400, error: 'invalid_grant', clause: EXPLAINED });
  },

  'incorrect-pkce-code-verifier-rejected': async ({ client1 }) => {
    const visited = await client1.authorize();
    const res = await client1.tpp.token(
      client1.client,
      { ...tokenParams(client1, visited), code_verifier: client1.tpp.pkce().codeVerifier },
      await dpopOf(client1, visited),
    );
    expectRefused(res, { status: 400, error: 'invalid_grant', clause: EXPLAINED });
  },

  'par-plain-pkce-rejected': async ({ client1 }) => {
    const { par } = await client1.push({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    expectRefused(par, { status: 400, error: 'invalid_request', clause: EXPLAINED });
  },

  'par-without-duplicate-parameters': async ({ client1 }) => {
    const pushed = await client1.push();
    const url = client1.authorizationUrl(pushed);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const visited = await client1.visit(pushed, url);
    expectCode(visited);
    expect((await client1.redeem(visited)).status).toBe(200);
  },
};

/**
 * The plan's tests: one per module and variant, named `<module id> [<client auth>, <sender constraint>]`,
 * and one that every module applying to the bank has a scenario (here, or on bank-api).
 */
export function runPlan(
  plan: Plan,
  run: ReturnType<typeof conformanceSandbox>,
  scenarios: Record<string, Scenario | typeof ON_BANK_API>,
  options: {
    /** Names the tests `<prefix><module id> [<variant>]` (another plan reusing these module ids). */
    prefix?: string;
    /** Lists each module that does not run here as a skipped test whose name says why. */
    listSkipped?: boolean;
  } = {},
): void {
  const scenarioOf = (moduleId: string) => scenarios[moduleId.slice(plan.id.length + 1)];
  const prefix = options.prefix ?? '';
  describe(plan.title, () => {
    it('has a scenario, here or on bank-api, for every module that applies to the bank', () => {
      const applicable = plan.modules.filter((module) => variantsOf(plan, module).length > 0);
      expect(applicable.filter((module) => !scenarioOf(module.id)).map((module) => module.id)).toEqual([]);
    });
    for (const module of plan.modules) {
      const scenario = scenarioOf(module.id);
      if (typeof scenario !== 'function') {
        if (!options.listSkipped) continue;
        const why =
          typeof module.applies === 'object'
            ? `not applicable: ${module.applies.notApplicable}`
            : `runs against bank-api in ${ON_BANK_API}`;
        it.skip(`${prefix}${module.id}: ${why}`, () => undefined);
        continue;
      }
      for (const variant of variantsOf(plan, module)) {
        it(`${prefix}${conformanceTestName(module.id, variant)}`, () => scenario(run.clients(variant)));
      }
    }
  });
}
