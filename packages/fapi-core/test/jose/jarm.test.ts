import { type CryptoKey, createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AuthorizationResponseError,
  type VerifyJarmResponseOptions,
  verifyJarmResponse,
} from '../../src/jose/jarm.js';
import { clock, NOW, oauthError, signJwt, unsignedJwt } from './helpers.js';

const ISSUER = 'https://bank.localhost:9443';
const CLIENT = 'moneywise-client';

let op: { privateKey: CryptoKey; publicJwk: JWK };
let impostor: { privateKey: CryptoKey; publicJwk: JWK };

beforeAll(async () => {
  const pair = await generateKeyPair('PS256');
  op = {
    privateKey: pair.privateKey,
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid: 'op-1', alg: 'PS256' },
  };
  const other = await generateKeyPair('PS256');
  impostor = { privateKey: other.privateKey, publicJwk: await exportJWK(other.publicKey) };
});

function verify(response: unknown, overrides: Partial<VerifyJarmResponseOptions> = {}) {
  return verifyJarmResponse({
    response,
    issuer: ISSUER,
    clientId: CLIENT,
    opKeys: { keys: [op.publicJwk] },
    now: clock(),
    ...overrides,
  });
}

function claims(extra: Record<string, unknown> = {}) {
  return { iss: ISSUER, aud: CLIENT, exp: NOW + 600, code: 'auth-code-123', state: 'state-xyz', ...extra };
}

const sign = (body: Record<string, unknown>, signer: CryptoKey = op.privateKey) =>
  signJwt({ alg: 'PS256', kid: 'op-1' }, body, signer);

describe('verifyJarmResponse', () => {
  it('returns code, state and iss from a response signed by the OP (JWKS, resolver or key)', async () => {
    const response = await sign(claims());
    const result = await verify(response);
    expect(result).toMatchObject({ code: 'auth-code-123', state: 'state-xyz', iss: ISSUER });
    await expect(
      verify(response, { opKeys: createLocalJWKSet({ keys: [op.publicJwk] }) }),
    ).resolves.toMatchObject({
      code: 'auth-code-123',
    });
    await expect(verify(response, { opKeys: op.publicJwk })).resolves.toMatchObject({
      code: 'auth-code-123',
    });
  });

  it('refuses a response for another client (wrong aud)', async () => {
    const err = await oauthError(verify(await sign(claims({ aud: 'budgetly-client' }))));
    expect(err.status).toBe(400);
    expect(err.error).toBe('invalid_request');
    expect(err.message).toContain("does not contain this client's client_id");
    expect(err.message).toContain('JARM §4.4');
  });

  it('refuses a response from another issuer (mix-up)', async () => {
    const err = await oauthError(verify(await sign(claims({ iss: 'https://attacker.example' }))));
    expect(err.message).toContain("iss 'https://attacker.example' is not the issuer");
    expect(err.message).toContain('FAPI 1.0 Adv §8.3.3');
  });

  it('refuses an expired response and one without exp', async () => {
    expect((await oauthError(verify(await sign(claims({ exp: NOW - 120 }))))).message).toContain(
      'expired 2 min ago',
    );
    const { exp: _exp, ...noExp } = claims();
    expect((await oauthError(verify(await sign(noExp)))).message).toContain("no 'exp' claim");
  });

  it('refuses a bad signature, alg none and an encrypted response', async () => {
    expect((await oauthError(verify(await sign(claims(), impostor.privateKey)))).message).toContain(
      'signature that does not verify',
    );
    expect((await oauthError(verify(unsignedJwt({ kid: 'op-1' }, claims())))).message).toContain(
      "alg 'none'",
    );
    expect((await oauthError(verify('eyJ.b.c.d.e'))).message).toContain('encrypted (JWE)');
  });

  it('surfaces a verified error response as AuthorizationResponseError with the state', async () => {
    const response = await sign({
      iss: ISSUER,
      aud: CLIENT,
      exp: NOW + 600,
      error: 'access_denied',
      error_description: 'The customer cancelled',
      state: 'state-xyz',
    });
    const err = await oauthError(verify(response));
    expect(err).toBeInstanceOf(AuthorizationResponseError);
    const typed = err as AuthorizationResponseError;
    expect(typed.error).toBe('access_denied');
    expect(typed.state).toBe('state-xyz');
    expect(typed.opErrorDescription).toBe('The customer cancelled');
    expect(typed.message).toContain("error 'access_denied': The customer cancelled");
  });

  it('does not trust an error response whose signature does not verify', async () => {
    const forged = await sign(
      { iss: ISSUER, aud: CLIENT, exp: NOW + 600, error: 'access_denied' },
      impostor.privateKey,
    );
    const err = await oauthError(verify(forged));
    expect(err).not.toBeInstanceOf(AuthorizationResponseError);
    expect(err.error).toBe('invalid_request');
  });

  it('refuses a response with neither code nor error', async () => {
    const { code: _code, ...noCode } = claims();
    expect((await oauthError(verify(await sign(noCode)))).message).toContain('neither a code nor an error');
  });
});
