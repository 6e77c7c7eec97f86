// The client's side of JAR (RFC 9101, FAPI 1.0 Adv §5.2.2-1): the request object the TPP signs. The bank's
// side is oidc-provider's, tested against real requests in apps/bank-op.
import { type CryptoKey, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRequestObject } from '../../src/jose/request-object.js';
import { clock, NOW } from './helpers.js';

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

let key: { privateKey: CryptoKey; publicKey: CryptoKey };

beforeAll(async () => {
  key = await generateKeyPair('PS256');
});

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
    // The signature verifies with the client's public key, as the bank's oidc-provider checks it.
    const { payload } = await jwtVerify(jwt, key.publicKey, {
      issuer: CLIENT,
      audience: ISSUER,
      currentDate: new Date(NOW * 1000),
    });
    expect(payload.state).toBe(PARAMS.state);
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
