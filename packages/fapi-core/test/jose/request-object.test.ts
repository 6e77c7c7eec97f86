import { type CryptoKey, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { InMemoryReplayCache } from '../../src/jose/replay-cache.js';
import {
  createRequestObject,
  REQUEST_OBJECT_TYP,
  type VerifyRequestObjectOptions,
  verifyRequestObject,
} from '../../src/jose/request-object.js';
import { clock, NOW, oauthError, signJwt, tamperPayload, unsignedJwt } from './helpers.js';

const ISSUER = 'https://bank.localhost:9443';
const CLIENT = 'moneywise-client';
const PARAMS = {
  response_type: 'code',
  redirect_uri: 'https://tpp.localhost:7443/callback',
  scope: 'openid accounts',
  state: 's'.repeat(128),
  nonce: 'n'.repeat(43),
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
};

let key: { privateKey: CryptoKey; publicJwk: JWK };
let otherKey: { privateKey: CryptoKey; publicJwk: JWK };
let rsKey: { privateKey: CryptoKey; publicJwk: JWK };

async function keyPair(alg: string, kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

beforeAll(async () => {
  key = await keyPair('PS256', 'mw');
  otherKey = await keyPair('PS256', 'bd');
  rsKey = await keyPair('RS256', 'mw-rs');
});

function verify(requestObject: unknown, overrides: Partial<VerifyRequestObjectOptions> = {}) {
  return verifyRequestObject({
    requestObject,
    issuer: ISSUER,
    clientId: CLIENT,
    clientKeys: { keys: [key.publicJwk, rsKey.publicJwk] },
    now: clock(),
    ...overrides,
  });
}

function claims(extra: Record<string, unknown> = {}) {
  return {
    ...PARAMS,
    iss: CLIENT,
    aud: ISSUER,
    client_id: CLIENT,
    iat: NOW,
    nbf: NOW,
    exp: NOW + 300,
    ...extra,
  };
}

function without(name: string) {
  const all: Record<string, unknown> = claims();
  delete all[name];
  return all;
}

/** Signs with Moneywise's key; typ '' leaves the typ header out. */
const sign = (body: Record<string, unknown>, typ: string = REQUEST_OBJECT_TYP) =>
  signJwt({ alg: 'PS256', kid: 'mw', ...(typ ? { typ } : {}) }, body, key.privateKey);

describe('createRequestObject', () => {
  it('signs the parameters with typ oauth-authz-req+jwt, iss, aud, client_id, iat, nbf, exp and jti', async () => {
    const jwt = await createRequestObject({
      clientId: CLIENT,
      issuer: ISSUER,
      signingKey: { key: key.privateKey, alg: 'PS256', kid: 'mw' },
      params: PARAMS,
      now: clock(),
    });
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'PS256', typ: 'oauth-authz-req+jwt', kid: 'mw' });
    const body = decodeJwt(jwt);
    expect(body).toMatchObject({
      ...PARAMS,
      iss: CLIENT,
      aud: ISSUER,
      client_id: CLIENT,
      nbf: NOW,
      exp: NOW + 300,
    });
    expect(typeof body.jti).toBe('string');
    const verified = await verify(jwt);
    expect(verified.claims.state).toBe(PARAMS.state);
  });

  it('refuses a lifetime over 60 minutes and params that would override its own claims', async () => {
    const base = {
      clientId: CLIENT,
      issuer: ISSUER,
      signingKey: { key: key.privateKey, alg: 'PS256' as const },
    };
    await expect(createRequestObject({ ...base, params: PARAMS, lifetimeSeconds: 3601 })).rejects.toThrow(
      RangeError,
    );
    await expect(createRequestObject({ ...base, params: { ...PARAMS, exp: 1 } })).rejects.toThrow(
      /may not set exp/,
    );
  });
});

describe('verifyRequestObject', () => {
  it('accepts typ in mixed case, as the conformance suite sends it', async () => {
    await expect(verify(await sign(claims(), 'OautH-auThZ-REQ+jWt'))).resolves.toBeDefined();
    await expect(verify(await sign(claims(), 'application/oauth-authz-req+jwt'))).resolves.toBeDefined();
  });

  it('refuses another typ; a missing typ only when required', async () => {
    const err = await oauthError(verify(await sign(claims(), 'JWT')));
    expect(err.status).toBe(400);
    expect(err.error).toBe('invalid_request_object');
    expect(err.message).toContain("typ 'JWT' is not 'oauth-authz-req+jwt'");
    const untyped = await sign(claims(), '');
    await expect(verify(untyped)).resolves.toBeDefined();
    expect((await oauthError(verify(untyped, { requireTyp: true }))).message).toContain('no typ header');
  });

  it('refuses a request object without exp or without nbf (FAPI 1.0 Adv §5.2.2-13, -17)', async () => {
    const noExp = await oauthError(verify(await sign(without('exp'))));
    expect(noExp.message).toContain("no 'exp' claim");
    expect(noExp.message).toContain('FAPI 1.0 Adv §5.2.2-13');
    const noNbf = await oauthError(verify(await sign(without('nbf'))));
    expect(noNbf.message).toContain("no 'nbf' claim");
    expect(noNbf.message).toContain('FAPI 1.0 Adv §5.2.2-17');
  });

  it('refuses exp 70 minutes after nbf as too long-lived', async () => {
    const err = await oauthError(verify(await sign(claims({ exp: NOW + 70 * 60 }))));
    expect(err.message).toContain('valid for 70 min');
    expect(err.message).toContain('FAPI 1.0 Adv §5.2.2-13');
  });

  it('refuses nbf 70 minutes in the past', async () => {
    const err = await oauthError(verify(await sign(claims({ nbf: NOW - 70 * 60, exp: NOW + 300 }))));
    expect(err.message).toContain('nbf is 70 min in the past');
    expect(err.message).toContain('FAPI 1.0 Adv §5.2.2-17');
  });

  it('accepts nbf 8 s ahead, refuses nbf a minute ahead', async () => {
    await expect(verify(await sign(claims({ nbf: NOW + 8 })))).resolves.toBeDefined();
    expect((await oauthError(verify(await sign(claims({ nbf: NOW + 62 }))))).message).toContain(
      'in the future',
    );
  });

  it('refuses an expired request object', async () => {
    const err = await oauthError(verify(await sign(claims({ nbf: NOW - 3600, exp: NOW - 3540 }))));
    expect(err.message).toContain('expired 59 min ago');
  });

  it('accepts aud as an array containing the issuer; refuses another audience or none', async () => {
    await expect(
      verify(await sign(claims({ aud: [ISSUER, 'https://other1.example.com', 'invalid'] }))),
    ).resolves.toBeDefined();
    const other = await oauthError(verify(await sign(claims({ aud: 'https://www.other1.example.com/' }))));
    expect(other.message).toContain("does not contain this server's issuer");
    expect((await oauthError(verify(await sign(without('aud'))))).message).toContain('no aud claim');
  });

  it('refuses a request object for another client, a wrong iss and an embedded request_uri', async () => {
    expect((await oauthError(verify(await sign(claims({ client_id: 'other' }))))).message).toContain(
      'is not the requesting client',
    );
    expect((await oauthError(verify(await sign(claims({ iss: 'other' }))))).message).toContain(
      'is not the client_id',
    );
    expect(
      (await oauthError(verify(await sign(claims({ request_uri: 'urn:ietf:params:oauth:request_uri:x' })))))
        .message,
    ).toContain("contains a 'request_uri' claim");
  });

  it('refuses RS256, none, a tampered payload and another client’s key', async () => {
    const rs = await signJwt(
      { alg: 'RS256', kid: 'mw-rs', typ: REQUEST_OBJECT_TYP },
      claims(),
      rsKey.privateKey,
    );
    expect((await oauthError(verify(rs))).message).toContain("'RS256'");
    expect((await oauthError(verify(unsignedJwt({ typ: REQUEST_OBJECT_TYP }, claims())))).message).toContain(
      "alg 'none'",
    );
    const tampered = tamperPayload(await sign(claims()), claims({ scope: 'openid payments' }));
    expect((await oauthError(verify(tampered))).message).toContain('signature that does not verify');
    const foreign = await signJwt(
      { alg: 'PS256', kid: 'mw', typ: REQUEST_OBJECT_TYP },
      claims(),
      otherKey.privateKey,
    );
    expect((await oauthError(verify(foreign))).message).toContain('signature that does not verify');
  });

  it('refuses a replayed jti when given a replay cache', async () => {
    const replayCache = new InMemoryReplayCache({ now: clock() });
    const jwt = await sign(claims({ jti: 'once' }));
    await verify(jwt, { replayCache });
    expect((await oauthError(verify(jwt, { replayCache }))).message).toContain("jti 'once' was already used");
  });

  it('refuses an encrypted request object with a clear message', async () => {
    expect((await oauthError(verify('eyJ.a.b.c.d'))).message).toContain('encrypted (JWE)');
  });
});
