// FAPI 2.0 Security Profile: what the bank must refuse, one attack at a time (the OpenID conformance
// suite's fapi2-security-profile-final negative modules), each with the spec's error code and an
// error_description naming the clause and the fix.
import { constants, sign as cryptoSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { redirectOf } from '@fapi-sandbox/fapi-client/customer';
import { decodeJwt, importJWK, type JWK, SignJWT } from 'jose';
import { fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { profiles } from '../src/profiles/index.js';
import { expectOAuthError, expectRedirectError } from './support/expect-error.js';
import { authorizeFapi2 } from './support/flows.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { DpopSession, json, type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let other: TestTpp;
let mtlsClient: RegisteredClient;
let dpopClient: RegisteredClient;
let otherClient: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  other = new TestTpp(sandbox, sandbox.config.participants.second);
  mtlsClient = await tpp.register({ senderConstraint: 'mtls' });
  dpopClient = await tpp.register({ senderConstraint: 'dpop' });
  otherClient = await other.register({ senderConstraint: 'mtls' });
});
afterEach(async () => {
  vi.useRealTimers();
});
afterAll(async () => {
  await sandbox?.close();
});

/** Moves the clock of this process — bank-op's clock — forward. */
function advanceClock(seconds: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(Date.now() + seconds * 1000));
}

async function parParams(
  client: RegisteredClient,
  overrides: Record<string, string | undefined> = {},
): Promise<Record<string, string>> {
  const params: Record<string, string | undefined> = {
    ...tpp.authorizationParams(client, await tpp.accountConsent(client), tpp.pkce()),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

describe('pushed authorization request', () => {
  it('refuses a request without PKCE', async () => {
    const res = await tpp.par(
      mtlsClient,
      await parParams(mtlsClient, { code_challenge: undefined, code_challenge_method: undefined }),
    );
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_request',
      clause: /FAPI 2\.0 SP section 5\.3\.2\.2-5/,
    });
  });

  it('refuses plain PKCE', async () => {
    const verifier = 'a'.repeat(43);
    const res = await tpp.par(
      mtlsClient,
      await parParams(mtlsClient, { code_challenge: verifier, code_challenge_method: 'plain' }),
    );
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_request',
      clause: /5\.3\.2\.2-5/,
      mentions: /S256/,
    });
  });

  it('refuses response_type=code id_token', async () => {
    const res = await tpp.par(mtlsClient, await parParams(mtlsClient, { response_type: 'code id_token' }));
    expectOAuthError(res, {
      status: 400,
      error: ['invalid_request', 'unsupported_response_type'],
      clause: /5\.3\.2\.2-1/,
    });
  });

  it('refuses response_type=token', async () => {
    const res = await tpp.par(mtlsClient, await parParams(mtlsClient, { response_type: 'token' }));
    expectOAuthError(res, { status: 400, error: ['unsupported_response_type', 'invalid_request'] });
  });

  it('refuses an unregistered redirect_uri', async () => {
    const res = await tpp.par(
      mtlsClient,
      await parParams(mtlsClient, { redirect_uri: `${tpp.participant.redirectUris[0]}/${randomUUID()}` }),
    );
    expectOAuthError(res, { status: 400, error: 'invalid_request', clause: /5\.3\.2\.2-6/ });
  });

  it('refuses a missing redirect_uri', async () => {
    const res = await tpp.par(mtlsClient, await parParams(mtlsClient, { redirect_uri: undefined }));
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_request',
      clause: /5\.3\.2\.2-6/,
      mentions: /redirect_uri/,
    });
  });

  it('refuses request_uri inside a pushed request', async () => {
    const res = await tpp.par(
      mtlsClient,
      await parParams(mtlsClient, { request_uri: 'urn:ietf:params:oauth:request_uri:x' }),
    );
    expectOAuthError(res, {
      status: 400,
      error: 'request_uri_not_supported',
      clause: /RFC 9126 section 2\.1/,
      mentions: /request_uri/,
    });
  });

  it('refuses a pushed request without client authentication', async () => {
    const res = await tpp.par(mtlsClient, await parParams(mtlsClient), { auth: {} });
    expectOAuthError(res, {
      status: [400, 401],
      error: ['invalid_request', 'invalid_client'],
      clause: /5\.3\.2\.1-6/,
    });
  });

  it('accepts a signed request object pushed through PAR, and refuses one without exp', async () => {
    const pkce = tpp.pkce();
    const params = tpp.authorizationParams(mtlsClient, await tpp.accountConsent(mtlsClient), pkce);
    const signed = await tpp.par(mtlsClient, { request: await tpp.requestObject(mtlsClient, params) });
    expect(signed.status, JSON.stringify(signed.body)).toBe(201);
    const landing = await tpp.customerAuthorizes(
      tpp.authorizationUrl(mtlsClient, String(signed.body.request_uri)),
    );
    expect((await tpp.redeem(mtlsClient, landing.searchParams.get('code')!, pkce)).status).toBe(200);

    const keys = await tpp.signingKeys();
    const now = Math.floor(Date.now() / 1000);
    const withoutExp = await new SignJWT({
      ...params,
      iss: mtlsClient.clientId,
      aud: tpp.issuer,
      nbf: now,
      iat: now,
    })
      .setProtectedHeader({ alg: 'PS256', kid: keys.forAlg('PS256').kid })
      .sign(keys.forAlg('PS256').key);
    const res = await tpp.par(mtlsClient, { request: withoutExp });
    expectOAuthError(res, { status: 400, error: 'invalid_request_object', clause: /RFC 9101 section 10\.2/ });
  });

  it('answers PUT with 405 and Allow: POST on both listeners (RFC 9126 §2.1, RFC 9110 §15.5.6)', async () => {
    for (const url of [tpp.endpoint(mtlsClient, '/par'), `${tpp.issuer}/par`]) {
      const res = await fetch(url, { method: 'PUT', dispatcher: tpp.transport });
      expect(res.status, url).toBe(405);
      expect(res.headers.get('allow'), url).toBe('POST');
      expectOAuthError(
        { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> },
        { status: 405, error: 'invalid_request', clause: /RFC 9126 section 2\.1/ },
      );
    }
    // An expected refusal is one log line each, never a stack trace.
    const refusals = sandbox.logs.filter(
      (line) => line.party === 'bank-op' && line.msg.startsWith('refused PUT /par: 405'),
    );
    expect(refusals).toHaveLength(2);
    expect(sandbox.logs.filter((line) => 'err' in line)).toEqual([]);
  });

  it('logs a refusal from oidc-provider itself as one line with the explained description', async () => {
    const res = await tpp.par(mtlsClient, { response_type: 'code' }, { auth: {} });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const line = sandbox.logs.findLast((l) => l.msg.startsWith('refused POST /par:'));
    expect(line).toMatchObject({ party: 'bank-op', method: 'POST', path: '/par', level: 40 });
    expect(line?.msg).toMatch(/^refused POST \/par: 40\d \w+: .*Fix: /);
    expect(line?.msg).not.toContain('\n');
  });
});

describe('client assertion (private_key_jwt)', () => {
  const cases: [string, Parameters<TestTpp['clientAuth']>[1]][] = [
    ['aud = the token endpoint URL', { aud: 'TOKEN' }],
    ['aud = the PAR endpoint URL', { aud: 'PAR' }],
    ['aud = [issuer, another]', { aud: ['ISSUER', 'https://example.com'] }],
  ];
  for (const [name, overrides] of cases) {
    it(`refuses ${name} (FAPI 2.0 SP 5.3.2.1-8)`, async () => {
      const resolve = (value: unknown): unknown =>
        Array.isArray(value)
          ? value.map(resolve)
          : value === 'TOKEN'
            ? tpp.endpoint(mtlsClient, '/token')
            : value === 'PAR'
              ? tpp.endpoint(mtlsClient, '/par')
              : value === 'ISSUER'
                ? tpp.issuer
                : value;
      const auth = await tpp.clientAuth(mtlsClient, { aud: resolve(overrides?.aud) });
      const res = await tpp.par(mtlsClient, await parParams(mtlsClient), { auth });
      expectOAuthError(res, {
        status: 401,
        error: 'invalid_client',
        clause: /5\.3\.2\.1-8/,
        mentions: /aud/,
      });
    });
  }

  it('refuses an RS256 assertion (FAPI 2.0 SP 5.4.1-1)', async () => {
    // The client's own PS256 key, used with RSASSA-PKCS1-v1_5 (RS256) instead of RSASSA-PSS.
    const jwks = JSON.parse(readFileSync(tpp.participant.signingJwks, 'utf8')) as { keys: JWK[] };
    const jwk = jwks.keys.find((key) => key.alg === 'PS256')!;
    const rsa = { kid: jwk.kid, key: await importJWK({ ...jwk, alg: 'RS256' }, 'RS256') };
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({
      iss: mtlsClient.clientId,
      sub: mtlsClient.clientId,
      aud: tpp.issuer,
      jti: randomUUID(),
      iat: now,
      exp: now + 60,
    })
      .setProtectedHeader({ alg: 'RS256', kid: rsa.kid })
      .sign(rsa.key);
    const res = await tpp.par(mtlsClient, await parParams(mtlsClient), {
      auth: {
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      },
    });
    expectOAuthError(res, { status: 401, error: 'invalid_client', clause: /5\.4\.1-1/ });
  });

  it('refuses an assertion that expired 5 minutes ago', async () => {
    const now = Math.floor(Date.now() / 1000);
    const auth = await tpp.clientAuth(mtlsClient, { claims: { iat: now - 360, exp: now - 300 } });
    const res = await tpp.par(mtlsClient, await parParams(mtlsClient), { auth });
    expectOAuthError(res, {
      status: 401,
      error: 'invalid_client',
      clause: /5\.3\.2\.1-13/,
      mentions: /expired/,
    });
  });

  it('refuses an assertion without sub', async () => {
    const auth = await tpp.clientAuth(mtlsClient, { claims: { sub: undefined } });
    const res = await tpp.par(mtlsClient, await parParams(mtlsClient), { auth });
    expectOAuthError(res, { status: [400, 401], error: ['invalid_client', 'invalid_request'] });
  });

  it('accepts iat/nbf 8 s ahead and refuses 62 s ahead (FAPI 2.0 SP 5.3.2.1-13)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const soon = await tpp.clientAuth(mtlsClient, { claims: { iat: now + 8, nbf: now + 8, exp: now + 68 } });
    expect((await tpp.par(mtlsClient, await parParams(mtlsClient), { auth: soon })).status).toBe(201);
    const late = await tpp.clientAuth(mtlsClient, {
      claims: { iat: now + 62, nbf: now + 62, exp: now + 122 },
    });
    const res = await tpp.par(mtlsClient, await parParams(mtlsClient), { auth: late });
    expectOAuthError(res, { status: 401, error: 'invalid_client', clause: /5\.3\.2\.1-13/ });
  });

  it('refuses a replayed assertion', async () => {
    const auth = await tpp.clientAuth(mtlsClient);
    expect((await tpp.par(mtlsClient, await parParams(mtlsClient), { auth })).status).toBe(201);
    const res = await tpp.par(mtlsClient, await parParams(mtlsClient), { auth });
    expectOAuthError(res, {
      status: 401,
      error: 'invalid_client',
      mentions: /already used: its jti may authenticate one request only/,
    });
  });
});

describe('authorization endpoint', () => {
  it('refuses an authorization request sent without PAR, in the redirect with iss', async () => {
    const url = new URL(`${tpp.issuer}/authorize`);
    url.search = new URLSearchParams(await parParams(mtlsClient)).toString();
    const { params } = redirectOf(await tpp.newBrowser().open(url));
    expectRedirectError(params, { error: 'invalid_request', clause: /5\.3\.2\.2-3/, issuer: tpp.issuer });
  });

  it("refuses another client's request_uri", async () => {
    const par = await tpp.par(mtlsClient, await parParams(mtlsClient));
    const url = tpp.authorizationUrl(otherClient, String(par.body.request_uri));
    const result = await tpp.newBrowser().open(url);
    if (result.kind === 'page') {
      expect(result.status).toBe(400);
      expect(result.html).toMatch(/invalid_request(_uri|_object)?/);
    } else {
      expectRedirectError(result.params, {
        error: ['invalid_request', 'invalid_request_uri', 'invalid_request_object'],
      });
    }
  });

  it('refuses a request_uri used to completion already', async () => {
    const params = await parParams(mtlsClient);
    const par = await tpp.par(mtlsClient, params);
    const url = tpp.authorizationUrl(mtlsClient, String(par.body.request_uri));
    await tpp.customerAuthorizes(url);
    const again = await tpp.newBrowser().open(url);
    if (again.kind === 'page') expect(again.html).toContain('invalid_request_uri');
    else expectRedirectError(again.params, { error: 'invalid_request_uri' });
  });

  it('refuses an expired request_uri (60 s lifetime, FAPI 2.0 SP 5.3.2.2-12)', async () => {
    const par = await tpp.par(mtlsClient, await parParams(mtlsClient));
    expect(par.body.expires_in).toBe(profiles.fapi2.provider.requestUriSeconds);
    advanceClock(profiles.fapi2.provider.requestUriSeconds + 1);
    const result = await tpp
      .newBrowser()
      .open(tpp.authorizationUrl(mtlsClient, String(par.body.request_uri)));
    if (result.kind === 'page') expect(result.html).toContain('invalid_request_uri');
    else expectRedirectError(result.params, { error: 'invalid_request_uri' });
  });
});

describe('token endpoint', () => {
  it('refuses a reused code and revokes what the first redemption issued', async () => {
    const authorized = await authorizeFapi2(tpp, mtlsClient);
    const first = await tpp.redeem(mtlsClient, authorized.code, authorized.pkce);
    expect(first.status).toBe(200);
    const second = await tpp.redeem(mtlsClient, authorized.code, authorized.pkce);
    expectOAuthError(second, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.2-9/ });
    const refresh = await tpp.token(mtlsClient, {
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
    });
    expectOAuthError(refresh, { status: 400, error: 'invalid_grant' });
  });

  it('refuses a code redeemed after 60 seconds (FAPI 2.0 SP 5.3.2.1-11)', async () => {
    const authorized = await authorizeFapi2(tpp, mtlsClient);
    advanceClock(profiles.fapi2.provider.authorizationCodeSeconds + 1);
    const res = await tpp.redeem(mtlsClient, authorized.code, authorized.pkce);
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_grant',
      clause: /5\.3\.2\.1-11/,
      mentions: /expired/,
    });
  });

  it('refuses a code redeemed by another, fully authenticated client', async () => {
    const authorized = await authorizeFapi2(tpp, mtlsClient);
    const res = await other.redeem(otherClient, authorized.code, authorized.pkce);
    expectOAuthError(res, { status: 400, error: 'invalid_grant', clause: /RFC 6749 section 4\.1\.3/ });
  });

  it("refuses a code sent with another client's identity in the assertion", async () => {
    const authorized = await authorizeFapi2(tpp, mtlsClient);
    const res = await tpp.redeem(mtlsClient, authorized.code, authorized.pkce, {
      auth: () =>
        tpp.clientAuth(mtlsClient, { claims: { iss: otherClient.clientId, sub: otherClient.clientId } }),
    });
    expectOAuthError(res, { status: 401, error: 'invalid_client', clause: /RFC 7523 section 3/ });
  });

  it('refuses a token request without code_verifier, and with a wrong one', async () => {
    const authorized = await authorizeFapi2(tpp, mtlsClient);
    const missing = await tpp.token(mtlsClient, {
      grant_type: 'authorization_code',
      code: authorized.code,
      redirect_uri: tpp.participant.redirectUris[0]!,
    });
    expectOAuthError(missing, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.2-5/ });
    const again = await authorizeFapi2(tpp, mtlsClient);
    const wrong = await tpp.redeem(mtlsClient, again.code, tpp.pkce());
    expectOAuthError(wrong, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.2-5/ });
  });

  it('refuses a token request without the bound certificate (mTLS-bound client, no certificate)', async () => {
    const authorized = await authorizeFapi2(tpp, mtlsClient);
    const res = await tpp.redeem(mtlsClient, authorized.code, authorized.pkce, {
      agent: sandbox.plain,
      url: `${tpp.issuer}/token`,
    });
    expectOAuthError(res, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.1-4/ });
  });

  it('refuses a token request without a DPoP proof (DPoP-bound client)', async () => {
    const dpop = await DpopSession.create();
    const authorized = await authorizeFapi2(tpp, dpopClient, { dpop });
    const res = await tpp.redeem(dpopClient, authorized.code, authorized.pkce);
    expectOAuthError(res, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.1-(4|12)/ });
  });

  it('refuses a refresh token of another client', async () => {
    const authorized = await authorizeFapi2(other, otherClient);
    const issued = await other.redeem(otherClient, authorized.code, authorized.pkce);
    const res = await tpp.token(mtlsClient, {
      grant_type: 'refresh_token',
      refresh_token: String(issued.body.refresh_token),
    });
    expectOAuthError(res, { status: 400, error: 'invalid_grant' });
  });
});

describe('DPoP', () => {
  it('challenges a proof without a server nonce (RFC 9449 section 8)', async () => {
    const dpop = await DpopSession.create();
    const res = await tpp.par(dpopClient, await parParams(dpopClient), { dpop, retryNonce: false });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('use_dpop_nonce');
    expect(res.headers.get('dpop-nonce')).toEqual(expect.any(String));
  });

  it('refuses a PAR whose dpop_jkt is not the key of its DPoP proof', async () => {
    const dpop = await DpopSession.create();
    const stranger = await DpopSession.create();
    const res = await tpp.par(dpopClient, await parParams(dpopClient, { dpop_jkt: stranger.key.jkt }), {
      dpop,
    });
    expectOAuthError(res, {
      status: 400,
      error: ['invalid_request', 'invalid_dpop_proof'],
      clause: /5\.3\.2\.1-12/,
    });
  });

  it('refuses a token request proved with another key than the PAR proof', async () => {
    const dpop = await DpopSession.create();
    const authorized = await authorizeFapi2(tpp, dpopClient, { dpop });
    const res = await tpp.redeem(dpopClient, authorized.code, authorized.pkce, {
      dpop: await DpopSession.create(),
    });
    expectOAuthError(res, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.1-12/ });
  });

  it('refuses a token request whose key is not the dpop_jkt sent at PAR without a proof', async () => {
    const bound = await DpopSession.create();
    const pkce = tpp.pkce();
    const params = {
      ...tpp.authorizationParams(dpopClient, await tpp.accountConsent(dpopClient), pkce),
      dpop_jkt: bound.key.jkt,
    };
    const par = await tpp.par(dpopClient, params);
    expect(par.status).toBe(201);
    const landing = await tpp.customerAuthorizes(
      tpp.authorizationUrl(dpopClient, String(par.body.request_uri)),
    );
    const res = await tpp.redeem(dpopClient, landing.searchParams.get('code')!, pkce, {
      dpop: await DpopSession.create(),
    });
    expectOAuthError(res, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.1-12/ });
  });

  it('refuses a proof for another URL', async () => {
    const dpop = await DpopSession.create();
    const url = tpp.endpoint(dpopClient, '/par');
    const send = async () =>
      json(
        await fetch(url, {
          method: 'POST',
          dispatcher: sandbox.plain,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            dpop: await dpop.proof('POST', `${tpp.issuer}/elsewhere`),
          },
          body: new URLSearchParams({
            ...(await parParams(dpopClient)),
            ...(await tpp.clientAuth(dpopClient)),
          }).toString(),
        }),
      );
    const first = await send();
    dpop.remember(url, first);
    const res = await send();
    expectOAuthError(res, { status: 400, error: 'invalid_dpop_proof', clause: /RFC 9449/ });
  });

  it('refuses a DPoP proof signed with an RSA key under 2048 bits (FAPI 2.0 SP 5.4.1-2)', async () => {
    // jose will not sign PS256 with a small key, so the proof is assembled by hand.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = publicKey.export({ format: 'jwk' });
    const url = tpp.endpoint(dpopClient, '/par');
    const send = async (nonce?: string) => {
      const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'PS256', jwk })).toString(
        'base64url',
      );
      const payload = Buffer.from(
        JSON.stringify({
          jti: randomUUID(),
          htm: 'POST',
          htu: url,
          iat: Math.floor(Date.now() / 1000),
          ...(nonce ? { nonce } : {}),
        }),
      ).toString('base64url');
      const signature = cryptoSign('sha256', Buffer.from(`${header}.${payload}`), {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      }).toString('base64url');
      return json(
        await fetch(url, {
          method: 'POST',
          dispatcher: sandbox.plain,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            dpop: `${header}.${payload}.${signature}`,
          },
          body: new URLSearchParams({
            ...(await parParams(dpopClient)),
            ...(await tpp.clientAuth(dpopClient)),
          }).toString(),
        }),
      );
    };
    const first = await send();
    const res =
      first.body.error === 'use_dpop_nonce'
        ? await send(first.headers.get('dpop-nonce') ?? undefined)
        : first;
    expectOAuthError(res, { status: 400, error: 'invalid_dpop_proof' });
  });

  it('binds the token to the PAR proof key when the token request uses it', async () => {
    const dpop = await DpopSession.create();
    const authorized = await authorizeFapi2(tpp, dpopClient, { dpop });
    const token = await tpp.redeem(dpopClient, authorized.code, authorized.pkce, { dpop });
    expect(token.status).toBe(200);
    expect(decodeJwt(String(token.body.access_token)).cnf).toEqual({ jkt: dpop.key.jkt });
  });
});
