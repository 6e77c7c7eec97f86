// FAPI 1.0 Advanced: what the bank must refuse (the conformance suite's fapi1-advanced-final negative
// modules). Request objects are tampered with one claim at a time, pushed (400 JSON) or sent by value
// (the bank's error page: with the redirect_uri only inside a refused request object, the bank cannot
// trust it to redirect).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pageError, pageOf, redirectOf } from '@fapi-sandbox/fapi-client/customer';
import type { PkcePair } from '@fapi-sandbox/fapi-core/jose/pkce';
import { decodeJwt, generateKeyPair, importJWK, type JWK, SignJWT, UnsecuredJWT } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError, expectRedirectError } from './support/expect-error.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { json, type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let other: TestTpp;
let client: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  other = new TestTpp(sandbox, sandbox.config.participants.second);
  client = await tpp.register({ profile: 'fapi1-advanced', authMethod: 'private_key_jwt' });
});
afterAll(async () => {
  await sandbox?.close();
});

type Claims = Record<string, unknown>;

/** A request object's claims, as the client would send them, before tampering. */
async function requestClaims(overrides: Claims = {}, pkce: PkcePair = tpp.pkce()): Promise<Claims> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Claims = {
    ...tpp.authorizationParams(client, await tpp.accountConsent(client), pkce),
    response_type: 'code id_token',
    iss: client.clientId,
    aud: tpp.issuer,
    iat: now,
    nbf: now,
    exp: now + 300,
    jti: randomUUID(),
    ...overrides,
  };
  for (const [key, value] of Object.entries(claims)) if (value === undefined) delete claims[key];
  return claims;
}

async function privateJwk(participant: TestTpp, alg: 'PS256' | 'ES256'): Promise<JWK> {
  const jwks = JSON.parse(readFileSync(participant.participant.signingJwks, 'utf8')) as { keys: JWK[] };
  return jwks.keys.find((key) => key.alg === alg)!;
}

async function sign(claims: Claims, options: { alg?: string; signer?: TestTpp } = {}): Promise<string> {
  const alg = options.alg ?? 'PS256';
  const jwk = await privateJwk(options.signer ?? tpp, alg === 'RS256' ? 'PS256' : (alg as 'PS256'));
  const key = await importJWK({ ...jwk, alg }, alg);
  return new SignJWT(claims).setProtectedHeader({ alg, kid: jwk.kid, typ: 'oauth-authz-req+jwt' }).sign(key);
}

async function pushed(request: string) {
  return tpp.par(client, { request });
}

describe('request object (pushed): each refused with invalid_request_object and its clause', () => {
  const cases: [string, Claims, RegExp][] = [
    ['without exp', { exp: undefined }, /FAPI 1\.0 Adv section 5\.2\.2-13/],
    ['without nbf', { nbf: undefined }, /FAPI 1\.0 Adv section 5\.2\.2-13/],
    [
      'living more than 60 minutes (exp = nbf + 70 min)',
      { exp: Math.floor(Date.now() / 1000) + 70 * 60 },
      /5\.2\.2-13/,
    ],
    ['with nbf 70 minutes in the past', { nbf: Math.floor(Date.now() / 1000) - 70 * 60 }, /5\.2\.2-1[37]/],
    [
      'already expired',
      { nbf: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 },
      /5\.2\.2-13/,
    ],
    ['for another audience', { aud: 'https://other.example.com' }, /5\.2\.2-15/],
    ['without aud', { aud: undefined }, /5\.2\.2-15/],
    ['without scope', { scope: undefined }, /5\.2\.2-10/],
  ];
  for (const [name, overrides, clause] of cases) {
    it(`refuses a request object ${name}`, async () => {
      const res = await pushed(await sign(await requestClaims(overrides)));
      expectOAuthError(res, { status: 400, error: 'invalid_request_object', clause });
    });
  }

  it('refuses a request object without nonce (openid scope)', async () => {
    const res = await pushed(await sign(await requestClaims({ nonce: undefined })));
    expectOAuthError(res, {
      status: 400,
      error: ['invalid_request', 'invalid_request_object'],
      clause: /5\.2\.2\.2-1/,
    });
  });

  it('refuses a request object without redirect_uri', async () => {
    const res = await pushed(await sign(await requestClaims({ redirect_uri: undefined })));
    expectOAuthError(res, {
      status: 400,
      error: ['invalid_request', 'invalid_request_object'],
      mentions: /redirect_uri/,
    });
  });

  it('refuses an RS256 request object (FAPI 1.0 Adv 8.6)', async () => {
    const res = await pushed(await sign(await requestClaims(), { alg: 'RS256' }));
    expectOAuthError(res, { status: 400, error: 'invalid_request_object', clause: /8\.6/ });
  });

  it('refuses an EdDSA request object, which FAPI 2.0 would allow (FAPI 1.0 Adv 8.6-1)', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const request = await new SignJWT(await requestClaims())
      .setProtectedHeader({ alg: 'EdDSA' })
      .sign(privateKey);
    const res = await pushed(request);
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_request_object',
      clause: /8\.6-1/,
      mentions: /EdDSA/,
    });
  });

  it('refuses an unsigned (alg none) request object', async () => {
    const res = await pushed(new UnsecuredJWT(await requestClaims()).encode());
    expectOAuthError(res, { status: 400, error: 'invalid_request_object' });
  });

  it('refuses a request object with a corrupted signature', async () => {
    const signed = await sign(await requestClaims());
    const corrupted = `${signed.slice(0, -6)}${signed.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;
    const res = await pushed(corrupted);
    expectOAuthError(res, { status: 400, error: 'invalid_request_object', clause: /5\.2\.2-1/ });
  });

  it("refuses a request object signed with another client's key", async () => {
    const res = await pushed(await sign(await requestClaims(), { signer: other }));
    expectOAuthError(res, { status: 400, error: 'invalid_request_object' });
  });

  it('refuses a request object with request_uri inside', async () => {
    const res = await pushed(
      await sign(await requestClaims({ request_uri: 'urn:ietf:params:oauth:request_uri:x' })),
    );
    expectOAuthError(res, { status: 400, error: 'invalid_request_object' });
  });

  it('refuses response_type=code without response_mode=jwt (FAPI 1.0 Adv 5.2.2-2)', async () => {
    const res = await pushed(await sign(await requestClaims({ response_type: 'code' })));
    expectOAuthError(res, { status: 400, error: 'invalid_request', clause: /5\.2\.2-2/ });
  });

  it('refuses a pushed request without PKCE (FAPI 1.0 Adv 5.2.2-18)', async () => {
    const res = await pushed(
      await sign(await requestClaims({ code_challenge: undefined, code_challenge_method: undefined })),
    );
    expectOAuthError(res, { status: 400, error: 'invalid_request', clause: /5\.2\.2-18/ });
  });

  it('refuses a pushed request without a request object (FAPI 1.0 Adv 5.2.2-1)', async () => {
    const claims = await requestClaims();
    const plain = Object.fromEntries(
      Object.entries(claims)
        .filter(([k]) => !['iss', 'aud', 'iat', 'nbf', 'exp', 'jti'].includes(k))
        .map(([k, v]) => [k, String(v)]),
    );
    const res = await tpp.par(client, plain);
    expectOAuthError(res, { status: 400, error: 'invalid_request', clause: /5\.2\.2-1/ });
  });

  it('accepts a request object with aud = [issuer, others] and nbf 8 s ahead', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await pushed(
      await sign(
        await requestClaims({
          aud: [tpp.issuer, 'https://other1.example.com'],
          nbf: now + 8,
          exp: now + 300,
        }),
      ),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});

describe('client assertion audiences FAPI 1.0 Advanced accepts (RFC 9126 section 2, RFC 7523 section 3)', () => {
  for (const [name, aud] of [
    ['the PAR endpoint URL', () => tpp.endpoint(client, '/par')],
    ['the token endpoint URL', () => tpp.endpoint(client, '/token')],
    ['[issuer, another]', () => [tpp.issuer, 'https://other.example.com']],
  ] as const) {
    it(`accepts aud = ${name} at PAR`, async () => {
      const res = await tpp.par(
        client,
        { request: await sign(await requestClaims()) },
        { auth: await tpp.clientAuth(client, { aud: aud() }) },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    });
  }

  it('refuses aud = a foreign URL', async () => {
    const res = await tpp.par(
      client,
      { request: await sign(await requestClaims()) },
      { auth: await tpp.clientAuth(client, { aud: 'https://fapidev-rs.example.com/api/userinfo' }) },
    );
    expectOAuthError(res, { status: 401, error: 'invalid_client', clause: /5\.2\.2-14/ });
  });
});

describe('authorization endpoint (by value)', () => {
  it('refuses an authorization request without a request object, in the redirect with iss', async () => {
    const claims = await requestClaims();
    const url = new URL(`${tpp.issuer}/authorize`);
    for (const key of ['client_id', 'response_type', 'scope', 'redirect_uri', 'state', 'nonce', 'claims']) {
      url.searchParams.set(key, String(claims[key]));
    }
    // The error comes in the fragment (response_type code id_token) when the bank can tell it.
    const { params } = redirectOf(await tpp.newBrowser().open(url));
    expectRedirectError(params, {
      error: 'invalid_request',
      clause: /5\.2\.2-1/,
      issuer: tpp.issuer,
    });
  });

  it('explains the refusal inside a JARM response too (clause and fix in the signed error_description)', async () => {
    const claims = await requestClaims();
    const url = new URL(`${tpp.issuer}/authorize`);
    for (const key of ['client_id', 'scope', 'redirect_uri', 'state', 'nonce', 'claims']) {
      url.searchParams.set(key, String(claims[key]));
    }
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('response_mode', 'jwt');
    const { params } = redirectOf(await tpp.newBrowser().open(url));
    expect([...params.keys()]).toEqual(['response']);
    const response = decodeJwt(params.get('response')!);
    expect(response).toMatchObject({ iss: tpp.issuer, aud: client.clientId, state: claims.state });
    expectRedirectError(new URLSearchParams(response as Record<string, string>), {
      error: 'invalid_request',
      clause: /5\.2\.2-1/,
    });
  });

  it('shows the bank error page for a request object without exp sent by value', async () => {
    const claims = await requestClaims({ exp: undefined });
    const url = new URL(`${tpp.issuer}/authorize`);
    url.search = new URLSearchParams({
      client_id: client.clientId,
      response_type: 'code id_token',
      scope: 'openid accounts',
      request: await sign(claims),
    }).toString();
    const result = pageOf(await tpp.newBrowser().open(url));
    expect(result.status).toBe(400);
    expect(pageError(result)).toMatch(/^invalid_request_object: .*5\.2\.2-13.*Fix: /);
  });
});

describe('token endpoint', () => {
  it('refuses a token request without the client certificate (mTLS-bound tokens)', async () => {
    const pkce = tpp.pkce();
    const claims = await requestClaims({}, pkce);
    const par = await pushed(await sign(claims));
    const landing = await tpp.customerAuthorizes(tpp.authorizationUrl(client, String(par.body.request_uri)));
    const code = TestTpp.responseParams(landing).get('code')!;
    const res = await json(
      await fetch(`${tpp.issuer}/token`, {
        method: 'POST',
        dispatcher: sandbox.plain,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: String(claims.redirect_uri),
          code_verifier: pkce.codeVerifier,
          ...(await tpp.clientAuth(client)),
        }).toString(),
      }),
    );
    expectOAuthError(res, { status: 400, error: 'invalid_grant', clause: /5\.2\.2-5/ });
  });
});
