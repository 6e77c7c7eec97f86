// Every `violations` entry in the posture (profiles/*.ts) recognises oidc-provider's own error wording so
// provider/explain-errors.ts can add the clause and the fix. This table proves each entry is produced by
// a real request against the real provider (oidc-provider 9.13.3, pinned in package.json), and that the
// explainer attributes it to that rule: if an upgrade rewords an error, its row fails here instead of a
// learner silently losing the clause and the fix.

import { encryptNestedJwt } from '@fapi-sandbox/fapi-core/jose/encryption';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ecosystemRules, type ProfileDefinition, type ProfileId, profiles } from '../src/profiles/index.js';
import type { Rule, ViolationSignature } from '../src/profiles/rule.js';
import { explain, type ProviderError } from '../src/provider/explain-errors.js';
import { authorizeFapi1, authorizeFapi2 } from './support/flows.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { DpopSession, json, type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let other: TestTpp;
let clients: Record<
  'fapi2' | 'fapi2Dpop' | 'fapi2Tls' | 'fapi1' | 'fapi1Tls' | 'fapi1Ciba' | 'baseline' | 'baselineTls',
  RegisteredClient
>;

/** The raw oidc-provider errors of the request under way, as its error events report them. */
let recorded: ProviderError[] = [];
const ERROR_EVENTS = [
  'authorization.error',
  'grant.error',
  'pushed_authorization_request.error',
  'introspection.error',
  'revocation.error',
  'userinfo.error',
  'backchannel_authentication.error',
] as const;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  other = new TestTpp(sandbox, sandbox.config.participants.second);
  clients = {
    fapi2: await tpp.register({ senderConstraint: 'mtls' }),
    fapi2Dpop: await tpp.register({ senderConstraint: 'dpop' }),
    fapi2Tls: await tpp.register({ authMethod: 'tls_client_auth' }),
    fapi1: await tpp.register({ profile: 'fapi1-advanced' }),
    fapi1Tls: await tpp.register({ profile: 'fapi1-advanced', authMethod: 'tls_client_auth' }),
    // FAPI-CIBA: decoupled authentication, polled.
    fapi1Ciba: await tpp.register({
      profile: 'fapi1-advanced',
      extra: {
        grant_types: ['urn:openid:params:grant-type:ciba', 'refresh_token', 'client_credentials'],
        response_types: [],
        backchannel_token_delivery_mode: 'poll',
        backchannel_authentication_request_signing_alg: 'PS256',
      },
    }),
    baseline: await tpp.register({ profile: 'fapi1-baseline' }),
    baselineTls: await tpp.register({ profile: 'fapi1-baseline', authMethod: 'tls_client_auth' }),
  };
  for (const event of ERROR_EVENTS) {
    sandbox.bankOp.provider.on(event as 'grant.error', (ctx: KoaContextWithOIDC, err: ProviderError) => {
      const body = ctx.body as { error?: unknown } | undefined;
      // As the explainer does: the error code the client receives, with oidc-provider's own texts.
      const error = typeof body?.error === 'string' ? body.error : err.error;
      recorded.push({
        ...err,
        error,
        error_description: err.error_description,
        error_detail: err.error_detail,
        route: ctx.oidc?.route,
      });
    });
  }
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await sandbox?.close();
});

function advanceClock(seconds: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(Date.now() + seconds * 1000));
}

const clientFor = (profile: ProfileId) =>
  ({ fapi2: clients.fapi2, 'fapi1-advanced': clients.fapi1, 'fapi1-baseline': clients.baseline })[profile];
const tlsClientFor = (profile: ProfileId) =>
  ({ fapi2: clients.fapi2Tls, 'fapi1-advanced': clients.fapi1Tls, 'fapi1-baseline': clients.baselineTls })[
    profile
  ];

/** Pushed authorization parameters of the profile: in a signed request object for FAPI 1.0 Advanced, else plain. */
async function pushed(
  client: RegisteredClient,
  overrides: Record<string, string | undefined> = {},
): Promise<Record<string, string>> {
  const params = Object.fromEntries(
    Object.entries({
      ...tpp.authorizationParams(client, await tpp.accountConsent(client), tpp.pkce()),
      ...overrides,
    }).filter(([, value]) => value !== undefined),
  ) as Record<string, string>;
  return client.profile === 'fapi1-advanced' ? { request: await tpp.requestObject(client, params) } : params;
}

async function authorize(client: RegisteredClient, dpop?: DpopSession) {
  return client.profile === 'fapi1-advanced'
    ? authorizeFapi1(tpp, client, 'hybrid-par')
    : authorizeFapi2(tpp, client, dpop ? { dpop } : {});
}

/** A request object signed (PS256) with the client's key, with exactly these claims. */
async function signedRequest(claims: Record<string, unknown>) {
  const key = (await tpp.signingKeys()).forAlg('PS256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'PS256', kid: key.kid, typ: 'oauth-authz-req+jwt' })
    .sign(key.key);
}

async function requestClaims(client: RegisteredClient, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  const { client_id: _ignored, ...params } = tpp.authorizationParams(
    client,
    await tpp.accountConsent(client),
    tpp.pkce(),
  );
  return {
    iss: client.clientId,
    aud: tpp.issuer,
    client_id: client.clientId,
    exp: now + 300,
    nbf: now,
    ...params,
    ...overrides,
  };
}

async function tokensOf(client: RegisteredClient, dpop?: DpopSession) {
  const authorized = await authorize(client, dpop);
  const tokens = await tpp.redeem(client, authorized.code, authorized.pkce, dpop ? { dpop } : {});
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return tokens.body as { access_token: string; refresh_token: string };
}

/** The real requests of the table, each run with a client of the row's profile. */
const requests: Record<string, (profile: ProfileId) => Promise<unknown>> = {
  'password grant': (p) =>
    tpp.token(clientFor(p), { grant_type: 'password', username: 'alice', password: 'wonderland' }),
  'code redeemed without the bound certificate': async (p) => {
    const client = clientFor(p);
    const authorized = await authorize(client);
    return tpp.redeem(client, authorized.code, authorized.pkce, {
      agent: sandbox.plain,
      url: `${tpp.issuer}/token`,
    });
  },
  'DPoP-bound refresh without a proof': async () => {
    const dpop = await DpopSession.create();
    const { refresh_token } = await tokensOf(clients.fapi2Dpop, dpop);
    return tpp.token(clients.fapi2Dpop, { grant_type: 'refresh_token', refresh_token });
  },
  'no client authentication': (p) =>
    tpp.post(clientFor(p), tpp.endpoint(clientFor(p), '/par'), { response_type: 'code' }),
  'client_id only for a private_key_jwt client': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p)), { auth: { client_id: clientFor(p).clientId } }),
  'tls_client_auth without a certificate': async (p) => {
    const client = tlsClientFor(p);
    return tpp.post(
      client,
      `${tpp.issuer}/par`,
      { ...(await pushed(client)), client_id: client.clientId },
      { agent: sandbox.plain },
    );
  },
  'tls_client_auth with another software certificate': async (p) => {
    const client = tlsClientFor(p);
    return tpp.post(
      client,
      tpp.endpoint(client, '/par'),
      { ...(await pushed(client)), client_id: client.clientId },
      { agent: other.transport },
    );
  },
  'client assertion without jti': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p)), {
      auth: await tpp.clientAuth(clientFor(p), { claims: { jti: undefined } }),
    }),
  'client assertion for the wrong audience': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p)), {
      auth: await tpp.clientAuth(clientFor(p), { aud: 'https://elsewhere.example' }),
    }),
  'client assertion replayed': async (p) => {
    const auth = await tpp.clientAuth(clientFor(p));
    const first = await tpp.par(clientFor(p), await pushed(clientFor(p)), { auth });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    return tpp.par(clientFor(p), await pushed(clientFor(p)), { auth });
  },
  'unknown client_id': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p)), { auth: { client_id: 'no-such-client' } }),
  'expired client assertion': async (p) => {
    const now = Math.floor(Date.now() / 1000);
    return tpp.par(clientFor(p), await pushed(clientFor(p)), {
      auth: await tpp.clientAuth(clientFor(p), { claims: { iat: now - 600, exp: now - 300 } }),
    });
  },
  'DPoP proof without the server nonce': async () =>
    tpp.par(clients.fapi2Dpop, await pushed(clients.fapi2Dpop), {
      dpop: await DpopSession.create(),
      retryNonce: false,
    }),
  'malformed DPoP proof': async () =>
    tpp.par(clients.fapi2Dpop, await pushed(clients.fapi2Dpop), { headers: { dpop: 'not-a-jwt' } }),
  'DPoP proof replayed at the token endpoint': async () => {
    const client = clients.fapi2Dpop;
    const dpop = await DpopSession.create();
    const { refresh_token } = await tokensOf(client, dpop);
    const url = tpp.endpoint(client, '/token');
    // The session holds the server's nonce by now: one proof, sent with two refresh requests.
    const proof = await dpop.proof('POST', url);
    const form = async () => ({
      grant_type: 'refresh_token',
      refresh_token,
      ...(await tpp.clientAuth(client)),
    });
    const first = await tpp.post(client, url, form, { headers: { dpop: proof } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    return tpp.post(client, url, form, { headers: { dpop: proof } });
  },
  'code redeemed after its lifetime': async (p) => {
    const authorized = await authorize(clientFor(p));
    advanceClock(profiles[p].provider.authorizationCodeSeconds + 1);
    return tpp.redeem(clientFor(p), authorized.code, authorized.pkce);
  },
  'PAR DPoP proof by another key than dpop_jkt': async () => {
    const named = await DpopSession.create();
    const { calculateJwkThumbprint } = await import('jose');
    const dpopJkt = await calculateJwkThumbprint(named.key.publicJwk);
    return tpp.par(clients.fapi2Dpop, await pushed(clients.fapi2Dpop, { dpop_jkt: dpopJkt }), {
      dpop: await DpopSession.create(),
    });
  },
  'code redeemed with another DPoP key': async () => {
    const dpop = await DpopSession.create();
    const authorized = await authorizeFapi2(tpp, clients.fapi2Dpop, { dpop });
    return tpp.redeem(clients.fapi2Dpop, authorized.code, authorized.pkce, {
      dpop: await DpopSession.create(),
    });
  },
  'DPoP-bound code redeemed without a proof': async () => {
    const dpop = await DpopSession.create();
    const authorized = await authorizeFapi2(tpp, clients.fapi2, { dpop });
    return tpp.redeem(clients.fapi2, authorized.code, authorized.pkce);
  },
  'response_type the client did not register': async (p) => {
    if (p !== 'fapi1-advanced')
      return tpp.par(clientFor(p), await pushed(clientFor(p), { response_type: 'code id_token' }));
    const hybridOnly = await tpp.register({ profile: p, extra: { response_types: ['code id_token'] } });
    return tpp.par(hybridOnly, await pushed(hybridOnly, { response_type: 'code', response_mode: 'jwt' }));
  },
  'authorization details of a type the bank does not support': async (p) =>
    tpp.par(
      clientFor(p),
      await pushed(clientFor(p), {
        authorization_details: JSON.stringify([{ type: 'tax_return', year: 2024 }]),
      }),
    ),
  'response_type no profile offers': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p), { response_type: 'id_token' })),
  'response_type the bank does not offer': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p), { response_type: 'token' })),
  'authorization request not pushed': async (p) => {
    const client = clientFor(p);
    const params = await pushed(client);
    const url = new URL(`${tpp.issuer}/authorize`);
    url.search = new URLSearchParams({
      ...params,
      client_id: client.clientId,
      ...(p === 'fapi2' ? {} : { response_type: 'code id_token', scope: 'openid accounts' }),
    }).toString();
    return tpp.newBrowser().open(url);
  },
  'plain request for a FAPI 1.0 Advanced client': async () => {
    const params = tpp.authorizationParams(
      clients.fapi1,
      await tpp.accountConsent(clients.fapi1),
      tpp.pkce(),
    );
    return tpp.par(clients.fapi1, params);
  },
  'no code_challenge': async (p) =>
    tpp.par(
      clientFor(p),
      await pushed(clientFor(p), { code_challenge: undefined, code_challenge_method: undefined }),
    ),
  'code_challenge_method plain': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p), { code_challenge_method: 'plain' })),
  'short code_challenge': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p), { code_challenge: 'short' })),
  'wrong code_verifier': async (p) => {
    const authorized = await authorize(clientFor(p));
    return tpp.redeem(clientFor(p), authorized.code, tpp.pkce());
  },
  'no redirect_uri': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p), { redirect_uri: undefined })),
  'unregistered redirect_uri': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p), { redirect_uri: 'https://evil.example/cb' })),
  'code redeemed with another redirect_uri': async (p) => {
    const authorized = await authorize(clientFor(p));
    return tpp.token(clientFor(p), {
      grant_type: 'authorization_code',
      code: authorized.code,
      redirect_uri: `${tpp.participant.redirectUris[0]!}?other`,
      code_verifier: authorized.pkce.codeVerifier,
    });
  },
  'code redeemed twice': async (p) => {
    const authorized = await authorize(clientFor(p));
    await tpp.redeem(clientFor(p), authorized.code, authorized.pkce);
    return tpp.redeem(clientFor(p), authorized.code, authorized.pkce);
  },
  'request_uri inside a pushed request': async (p) =>
    tpp.par(clientFor(p), {
      ...(await pushed(clientFor(p))),
      request_uri: 'urn:ietf:params:oauth:request_uri:x',
    }),
  'code redeemed by another client': async (p) => {
    const authorized = await authorize(clientFor(p));
    return tpp.redeem(tlsClientFor(p), authorized.code, authorized.pkce);
  },
  'request_uri used after its lifetime': async (p) => {
    const client = clientFor(p);
    const par = await tpp.par(client, await pushed(client));
    advanceClock(profiles[p].provider.requestUriSeconds + 1);
    return tpp.newBrowser().open(tpp.authorizationUrl(client, String(par.body.request_uri)));
  },
  'request object expired': async (p) =>
    tpp.par(clientFor(p), {
      request: await signedRequest(
        await requestClaims(clientFor(p), {
          exp: Math.floor(Date.now() / 1000) - 120,
          nbf: Math.floor(Date.now() / 1000) - 600,
        }),
      ),
    }),
  'request object for another audience': async (p) =>
    tpp.par(clientFor(p), {
      request: await signedRequest(await requestClaims(clientFor(p), { aud: 'https://elsewhere.example' })),
    }),
  'request object from another issuer': async (p) =>
    tpp.par(clientFor(p), {
      request: await signedRequest(await requestClaims(clientFor(p), { iss: 'someone-else' })),
    }),
  // Under the client's own kid: a kid the directory does not publish is refused before oidc-provider
  // verifies anything (participants/signing-key-gate.ts), so this one reaches its signature check.
  'request object signed by another key': async (p) => {
    const key = (await other.signingKeys()).forAlg('PS256');
    const ownKid = (await tpp.signingKeys()).forAlg('PS256').kid;
    const request = await new SignJWT(await requestClaims(clientFor(p)))
      .setProtectedHeader({ alg: 'PS256', kid: ownKid })
      .sign(key.key);
    return tpp.par(clientFor(p), { request });
  },
  'request object nesting request_uri': async (p) =>
    tpp.par(clientFor(p), {
      request: await signedRequest(await requestClaims(clientFor(p), { request_uri: 'urn:x' })),
    }),
  'request object for another client_id': async (p) =>
    tpp.par(clientFor(p), {
      request: await signedRequest(await requestClaims(clientFor(p), { client_id: 'another' })),
    }),
  'request object signed RS256': async (p) => {
    const { generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('RS256');
    const request = await new SignJWT(await requestClaims(clientFor(p)))
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    return tpp.par(clientFor(p), { request });
  },
  'client assertion signed ES256 for a PS256 registration': async (p) => {
    const client = await tpp.register({ profile: p, extra: { token_endpoint_auth_signing_alg: 'PS256' } });
    return tpp.par(client, await pushed(client), { auth: await tpp.clientAuth(client, { alg: 'ES256' }) });
  },
  'client assertion signed by a key the directory does not publish': async (p) => {
    const { client_assertion, ...auth } = await tpp.clientAuth(clientFor(p));
    const { generateKeyPair, decodeJwt, decodeProtectedHeader } = await import('jose');
    const { privateKey } = await generateKeyPair('PS256');
    // The same claims and kid, signed by another key: what a client with a tampered or stale key sends.
    const forged = await new SignJWT(decodeJwt(client_assertion!))
      .setProtectedHeader(decodeProtectedHeader(client_assertion!) as { alg: string })
      .sign(privateKey);
    return tpp.par(clientFor(p), await pushed(clientFor(p)), { auth: { ...auth, client_assertion: forged } });
  },
  'tls_client_auth with a certificate from another CA': async (p) => {
    const client = tlsClientFor(p);
    const neg = sandbox.config.negative;
    const agent = createSandboxAgent(
      { certFile: neg.untrustedTransportCert, keyFile: neg.untrustedTransportKey },
      sandbox.config,
    );
    try {
      return await tpp.post(
        client,
        tpp.endpoint(client, '/par'),
        { ...(await pushed(client)), client_id: client.clientId },
        { agent },
      );
    } finally {
      await agent.close();
    }
  },
  'unregistered redirect_uri at the authorization endpoint': async (p) => {
    const client = clientFor(p);
    const params = tpp.authorizationParams(client, await tpp.accountConsent(client), tpp.pkce());
    params.redirect_uri = 'https://evil.example/cb';
    const url = new URL(`${tpp.issuer}/authorize`);
    url.search = new URLSearchParams(
      p === 'fapi2'
        ? params
        : {
            client_id: client.clientId,
            response_type: params.response_type!,
            scope: params.scope!,
            request: await tpp.requestObject(client, params),
          },
    ).toString();
    return tpp.newBrowser().open(url);
  },
  'no nonce with openid': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p), { nonce: undefined })),
  'response_mode the client may not use': async (p) =>
    tpp.par(clientFor(p), await pushed(clientFor(p), { response_type: 'code', response_mode: 'query' })),
  'response_mode query with code id_token': async (p) =>
    tpp.par(
      clientFor(p),
      await pushed(clientFor(p), { response_type: 'code id_token', response_mode: 'query' }),
    ),
  'unknown refresh token': (p) =>
    tpp.token(clientFor(p), { grant_type: 'refresh_token', refresh_token: 'no-such-token' }),
  'refresh after the grant was revoked': async (p) => {
    const client = clientFor(p);
    const { refresh_token } = await tokensOf(client);
    const grantId = (await sandbox.bankOp.provider.RefreshToken.find(refresh_token))!.grantId!;
    await (await sandbox.bankOp.provider.Grant.find(grantId))!.destroy();
    return tpp.token(client, { grant_type: 'refresh_token', refresh_token });
  },
  'refresh token after its lifetime': async (p) => {
    const client = clientFor(p);
    const { refresh_token } = await tokensOf(client);
    const token = (await sandbox.bankOp.provider.RefreshToken.find(refresh_token))!;
    token.exp = Math.floor(Date.now() / 1000) - 10;
    await token.save();
    return tpp.token(client, { grant_type: 'refresh_token', refresh_token });
  },
  'userinfo with a bank-api access token': async (p) => {
    const client = clientFor(p);
    const { access_token } = await tokensOf(client);
    return json(
      await fetch(`${sandbox.config.bankOp.mtls.origin}/userinfo`, {
        headers: { authorization: `Bearer ${access_token}` },
        dispatcher: tpp.transport,
      }),
    );
  },
  'userinfo with an unknown opaque token': async () =>
    json(
      await fetch(`${tpp.issuer}/userinfo`, {
        headers: { authorization: 'Bearer opaque-unknown-token' },
        dispatcher: sandbox.plain,
      }),
    ),
  'introspecting a JWT access token': async (p) => {
    const client = clientFor(p);
    const { access_token } = await tokensOf(client);
    return tpp.post(client, tpp.endpoint(client, '/token/introspect'), async () => ({
      token: access_token,
      ...(await tpp.clientAuth(client)),
    }));
  },
  'request object encrypted to a key that is not the bank’s': async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP-256');
    const notTheBanks = { ...(await exportJWK(publicKey)), alg: 'RSA-OAEP-256', kid: 'not-the-banks' };
    const { request } = await pushed(clients.fapi1);
    return tpp.par(clients.fapi1, { request: await encryptNestedJwt(request!, notTheBanks) });
  },
  'request object in clear from a client that registered encryption': async () => {
    const encrypting = await tpp.register({
      profile: 'fapi1-advanced',
      extra: { request_object_encryption_alg: 'ECDH-ES' },
    });
    return tpp.par(encrypting, await pushed(encrypting));
  },
  'unsigned backchannel authentication request': async () => {
    const client = clients.fapi1Ciba;
    const consentId = await tpp.accountConsent(client);
    const claims = JSON.stringify({ id_token: { openbanking_intent_id: { value: consentId } } });
    const form = { scope: 'openid accounts', login_hint: 'alice', binding_message: 'Moneywise 1234', claims };
    return tpp.post(client, `${sandbox.config.bankOp.mtls.origin}/backchannel`, async () => ({
      ...form,
      ...(await tpp.clientAuth(client)),
    }));
  },
  'auth_req_id polled after its requested_expiry': async () => {
    const client = clients.fapi1Ciba;
    const consentId = await tpp.accountConsent(client);
    const request = await tpp.requestObject(client, {
      scope: 'openid accounts',
      login_hint: 'alice',
      binding_message: 'Moneywise 1234',
      requested_expiry: 1,
      claims: { id_token: { openbanking_intent_id: { value: consentId } } },
    });
    const started = await tpp.post(client, `${sandbox.config.bankOp.mtls.origin}/backchannel`, async () => ({
      request,
      ...(await tpp.clientAuth(client)),
    }));
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    advanceClock(5);
    return tpp.token(client, {
      grant_type: 'urn:openid:params:grant-type:ciba',
      auth_req_id: String(started.body.auth_req_id),
    });
  },
  'introspection without a token': (p) =>
    tpp.post(clientFor(p), tpp.endpoint(clientFor(p), '/token/introspect'), async () =>
      tpp.clientAuth(clientFor(p)),
    ),
};

/**
 * Which real request produces each violation, keyed `profile rule-id #index` (ecosystem rules are
 * explained for FAPI 2.0 clients). A violation that no request can produce does not belong in the posture.
 */
const table: Record<string, keyof typeof requests> = {
  'fapi2 no-password-grant #0': 'password grant',
  'fapi2 sender-constrained-tokens #0': 'code redeemed without the bound certificate',
  'fapi2 sender-constrained-tokens #1': 'DPoP-bound refresh without a proof',
  'fapi2 client-authentication #0': 'no client authentication',
  'fapi2 client-authentication #1': 'client_id only for a private_key_jwt client',
  'fapi2 client-authentication #2': 'tls_client_auth without a certificate',
  'fapi2 client-authentication #3': 'tls_client_auth with a certificate from another CA',
  'fapi2 client-authentication #4': 'tls_client_auth with another software certificate',
  'fapi2 client-authentication #5': 'client assertion without jti',
  'fapi2 client-authentication #6': 'unknown client_id',
  'fapi2 client-authentication #7': 'client assertion replayed',
  'fapi2 assertion-audience-is-issuer #0': 'client assertion for the wrong audience',
  'fapi2 dpop-nonce #0': 'DPoP proof without the server nonce',
  'fapi2 dpop-proof #0': 'malformed DPoP proof',
  'fapi2 dpop-proof #1': 'DPoP proof replayed at the token endpoint',
  'fapi2 code-lifetime #0': 'code redeemed after its lifetime',
  'fapi2 dpop-code-binding #0': 'PAR DPoP proof by another key than dpop_jkt',
  'fapi2 dpop-code-binding #1': 'code redeemed with another DPoP key',
  'fapi2 dpop-code-binding #2': 'DPoP-bound code redeemed without a proof',
  'fapi2 clock-tolerance #0': 'expired client assertion',
  'fapi2 response-type-code #0': 'response_type the client did not register',
  'fapi2 response-type-code #1': 'response_type no profile offers',
  'fapi2 par-required #0': 'authorization request not pushed',
  'fapi2 pkce-s256 #0': 'no code_challenge',
  'fapi2 pkce-s256 #1': 'code_challenge_method plain',
  'fapi2 pkce-s256 #2': 'short code_challenge',
  'fapi2 pkce-s256 #3': 'wrong code_verifier',
  'fapi2 redirect-uri-required-and-exact #0': 'no redirect_uri',
  'fapi2 redirect-uri-required-and-exact #1': 'unregistered redirect_uri',
  'fapi2 redirect-uri-required-and-exact #2': 'unregistered redirect_uri at the authorization endpoint',
  'fapi2 redirect-uri-required-and-exact #3': 'code redeemed with another redirect_uri',
  'fapi2 code-single-use #0': 'code redeemed twice',
  'fapi2 code-bound-to-client #0': 'code redeemed by another client',
  'fapi2 request-uri-lifetime #0': 'request_uri used after its lifetime',
  'fapi2 request-object-exp-nbf #0': 'request object expired',
  'fapi2 request-object-aud #0': 'request object for another audience',
  'fapi2 request-object-aud #1': 'request object signed by another key',
  'fapi2 request-object-contents #0': 'request object nesting request_uri',
  'fapi2 signing-algorithms #0': 'client assertion signed ES256 for a PS256 registration',
  'fapi2 signing-algorithms #1': 'request object signed RS256',
  'fapi1-advanced signed-request-object #0': 'plain request for a FAPI 1.0 Advanced client',
  'fapi1-advanced response-type #0': 'response_mode the client may not use',
  'fapi1-advanced response-type #1': 'response_type the client did not register',
  'fapi1-advanced response-type #2': 'response_type no profile offers',
  'fapi1-advanced response-type #3': 'response_mode query with code id_token',
  'fapi1-advanced sender-constrained-tokens #0': 'code redeemed without the bound certificate',
  'fapi1-advanced request-object-exp-nbf #0': 'request object expired',
  'fapi1-advanced request-object-aud #0': 'request object for another audience',
  'fapi1-advanced request-object-signature #0': 'request object signed by another key',
  'fapi1-advanced request-object-signature #1': 'request object from another issuer',
  'fapi1-advanced request-object-signature #2': 'request object nesting request_uri',
  'fapi1-advanced request-object-signature #3': 'request object for another client_id',
  'fapi1-advanced client-authentication #0': 'no client authentication',
  'fapi1-advanced client-authentication #1': 'client_id only for a private_key_jwt client',
  'fapi1-advanced client-authentication #2': 'tls_client_auth with a certificate from another CA',
  'fapi1-advanced client-authentication #3': 'tls_client_auth with another software certificate',
  'fapi1-advanced client-authentication #4': 'client assertion for the wrong audience',
  'fapi1-advanced client-authentication #5': 'unknown client_id',
  'fapi1-advanced client-authentication #6': 'client assertion replayed',
  'fapi1-advanced assertion-lifetime #0': 'expired client assertion',
  'fapi1-advanced pkce-with-par #0': 'no code_challenge',
  'fapi1-advanced pkce-with-par #1': 'code_challenge_method plain',
  'fapi1-advanced pkce-with-par #2': 'short code_challenge',
  'fapi1-advanced pkce-with-par #3': 'wrong code_verifier',
  'fapi1-advanced redirect-uri-required-and-exact #0': 'no redirect_uri',
  'fapi1-advanced redirect-uri-required-and-exact #1': 'unregistered redirect_uri',
  'fapi1-advanced redirect-uri-required-and-exact #2':
    'unregistered redirect_uri at the authorization endpoint',
  'fapi1-advanced redirect-uri-required-and-exact #3': 'code redeemed with another redirect_uri',
  'fapi1-advanced nonce-or-state #0': 'no nonce with openid',
  'fapi1-advanced code-single-use #0': 'code redeemed twice',
  'fapi1-advanced code-lifetime #0': 'code redeemed after its lifetime',
  'fapi1-advanced code-bound-to-client #0': 'code redeemed by another client',
  'fapi1-advanced request-uri-lifetime #0': 'request_uri used after its lifetime',
  'fapi1-advanced signing-algorithms #0': 'client assertion signed ES256 for a PS256 registration',
  'fapi1-advanced signing-algorithms #1': 'request object signed RS256',
  'fapi1-advanced ciba-signed-request #0': 'unsigned backchannel authentication request',
  'fapi1-advanced ciba-request-lifetime #0': 'auth_req_id polled after its requested_expiry',
  // FAPI 1.0 Baseline shares these rules with Advanced (profiles/fapi1-baseline.ts), sent as plain PAR.
  'fapi1-baseline response-type #0': 'response_type the client did not register',
  'fapi1-baseline response-type #1': 'response_type no profile offers',
  'fapi1-baseline client-authentication #0': 'no client authentication',
  'fapi1-baseline client-authentication #1': 'client_id only for a private_key_jwt client',
  'fapi1-baseline client-authentication #2': 'tls_client_auth with a certificate from another CA',
  'fapi1-baseline client-authentication #3': 'tls_client_auth with another software certificate',
  'fapi1-baseline client-authentication #4': 'client assertion for the wrong audience',
  'fapi1-baseline client-authentication #5': 'unknown client_id',
  'fapi1-baseline client-authentication #6': 'client assertion replayed',
  'fapi1-baseline assertion-lifetime #0': 'expired client assertion',
  'fapi1-baseline pkce #0': 'no code_challenge',
  'fapi1-baseline pkce #1': 'code_challenge_method plain',
  'fapi1-baseline pkce #2': 'short code_challenge',
  'fapi1-baseline pkce #3': 'wrong code_verifier',
  'fapi1-baseline redirect-uri-required-and-exact #0': 'no redirect_uri',
  'fapi1-baseline redirect-uri-required-and-exact #1': 'unregistered redirect_uri',
  'fapi1-baseline redirect-uri-required-and-exact #2':
    'unregistered redirect_uri at the authorization endpoint',
  'fapi1-baseline redirect-uri-required-and-exact #3': 'code redeemed with another redirect_uri',
  'fapi1-baseline nonce-or-state #0': 'no nonce with openid',
  'fapi1-baseline code-single-use #0': 'code redeemed twice',
  'fapi1-baseline code-lifetime #0': 'code redeemed after its lifetime',
  'fapi1-baseline code-bound-to-client #0': 'code redeemed by another client',
  'fapi1-baseline request-uri-lifetime #0': 'request_uri used after its lifetime',
  'fapi1-baseline signing-algorithms #0': 'client assertion signed ES256 for a PS256 registration',
  'fapi1-baseline signing-algorithms #1': 'request object signed RS256',
  'ecosystem revocation-reaches-bank-api #0': 'unknown refresh token',
  'ecosystem revocation-reaches-bank-api #1': 'refresh after the grant was revoked',
  'ecosystem revocation-reaches-bank-api #2': 'refresh token after its lifetime',
  'ecosystem client-assertion-key-at-directory #0':
    'client assertion signed by a key the directory does not publish',
  'ecosystem access-tokens-for-bank-api #0': 'userinfo with a bank-api access token',
  'ecosystem introspect-refresh-tokens-only #0': 'introspecting a JWT access token',
  'ecosystem introspect-refresh-tokens-only #1': 'introspection without a token',
  'ecosystem par-carries-the-request #0': 'request_uri inside a pushed request',
  'ecosystem request-object-encryption #0': 'request object encrypted to a key that is not the bank’s',
  'ecosystem request-object-encryption-registered #0':
    'request object in clear from a client that registered encryption',
  'fapi2 authorization-details-types #0': 'authorization details of a type the bank does not support',
};

function violationsOf(name: string, rules: readonly Rule[]): [string, Rule, ViolationSignature][] {
  return rules.flatMap((rule) =>
    (rule.violations ?? []).map(
      (violation, index) =>
        [`${name} ${rule.id} #${index}`, rule, violation] as [string, Rule, ViolationSignature],
    ),
  );
}

const allViolations: [ProfileDefinition, string, Rule, ViolationSignature][] = [
  ...Object.values(profiles).flatMap((profile) =>
    violationsOf(profile.id, profile.rules).map(
      ([key, rule, v]) => [profile, key, rule, v] as [ProfileDefinition, string, Rule, ViolationSignature],
    ),
  ),
  ...violationsOf('ecosystem', ecosystemRules).map(
    ([key, rule, v]) =>
      [profiles.fapi2, key, rule, v] as [ProfileDefinition, string, Rule, ViolationSignature],
  ),
];

const DISCOVER = process.env.VIOLATIONS_DISCOVER === '1';

// VIOLATIONS_DISCOVER=1 prints what each request makes oidc-provider say, to write a row after an upgrade.
if (DISCOVER) {
  describe('what each request produces', () => {
    for (const name of Object.keys(requests)) {
      for (const p of ['fapi2', 'fapi1-advanced', 'fapi1-baseline'] as ProfileId[]) {
        it(`${name} (${p})`, async () => {
          recorded = [];
          try {
            await requests[name]!(p);
          } catch (e) {
            console.log(`THROWN ${name} ${p}: ${(e as Error).message}`);
          }
          vi.useRealTimers();
          console.log(
            `REC ${name} | ${p} | ${JSON.stringify(recorded.map((r) => [r.error, r.error_description, r.error_detail]))}`,
          );
        });
      }
    }
  });
}

describe.skipIf(DISCOVER)('every violation is produced by a real request', () => {
  const cache = new Map<string, ProviderError[]>();
  it('has a row for each violation and no row for a violation the posture no longer lists', () => {
    expect(Object.keys(table).sort()).toEqual(allViolations.map(([, key]) => key).sort());
  });

  it.each(allViolations.map(([profile, key, rule, violation]) => ({ profile, key, rule, violation })))(
    '$key',
    async ({ profile, key, rule, violation }) => {
      const row = table[key];
      expect(row, `${key} has no row in the table`).toBeDefined();
      expect(requests[row!], `${key}: no request named ${row}`).toBeDefined();
      const cacheKey = `${row!}|${profile.id}`;
      if (!cache.has(cacheKey)) {
        recorded = [];
        await requests[row!]!(profile.id);
        vi.useRealTimers();
        cache.set(cacheKey, recorded);
      }
      const produced = cache.get(cacheKey)!;
      const match = produced.find(
        (err) =>
          err.error === violation.error &&
          // An error with no text at all is matched as '' (as the explainer does).
          (err.error_detail || err.error_description ? [err.error_detail, err.error_description] : ['']).some(
            (text) => text !== undefined && violation.message.test(text),
          ),
      );
      expect(match, `${row} produced ${JSON.stringify(produced)}`).toBeDefined();
      // The explainer gives this rule's clause and fix for it (no earlier entry shadows it).
      const explained = explain(profile, match!);
      expect(explained).toContain(`(${rule.clause})`);
      expect(explained).toContain(`Fix: ${rule.fix}`);
    },
  );
});
