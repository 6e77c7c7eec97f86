import {
  CompactEncrypt,
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptNestedJwt } from '../../src/jose/encryption.js';
import {
  AuthorizationResponseError,
  type JarmDecryption,
  unverifiedJarmState,
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

/** An encryption key pair of the client (use enc), its public half as the bank finds it at jwks_uri. */
async function encryptionKeyPair(kid: string, alg: 'RSA-OAEP-256' | 'ECDH-ES' = 'RSA-OAEP-256') {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const header = { kid, alg, use: 'enc' };
  return {
    publicJwk: { ...(await exportJWK(publicKey)), ...header },
    privateJwk: { ...(await exportJWK(privateKey)), ...header },
  };
}

describe('verifyJarmResponse, encrypted (JARM §2.2: signed by the OP, then encrypted to the client)', () => {
  let client: Awaited<ReturnType<typeof encryptionKeyPair>>;
  let decryption: JarmDecryption;
  beforeAll(async () => {
    client = await encryptionKeyPair('client-enc');
    decryption = { alg: 'RSA-OAEP-256', enc: 'A256GCM', keys: { keys: [client.privateJwk] } };
  });
  const verifyEncrypted = (response: unknown) => verify(response, { decryption });
  /** A JWE of `plaintext` to the client's key, with the header given. */
  const encryptAs = async (plaintext: string, alg: string, enc: string, key: JWK = client.publicJwk) =>
    new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg, enc, kid: key.kid, cty: 'JWT' })
      .encrypt(await importJWK({ ...key, alg }, alg));

  it('decrypts with the client key, then verifies signature, iss, aud and exp as for a JWS', async () => {
    const response = await encryptNestedJwt(await sign(claims()), client.publicJwk);
    const result = await verifyEncrypted(response);
    expect(result).toMatchObject({ code: 'auth-code-123', state: 'state-xyz', iss: ISSUER });
    expect(result.jwe).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'client-enc', cty: 'JWT' });
    // The inner JWT is checked exactly as a JWS in clear: a wrong aud inside is refused.
    const otherAud = await encryptNestedJwt(await sign(claims({ aud: 'budgetly-client' })), client.publicJwk);
    expect((await oauthError(verifyEncrypted(otherAud))).description).toContain('does not contain');
    const forged = await encryptNestedJwt(await sign(claims(), impostor.privateKey), client.publicJwk);
    expect((await oauthError(verifyEncrypted(forged))).error).toBe('invalid_request');
  });

  it('refuses a JARM response in clear (a JWS) when the client registered encryption', async () => {
    const err = await oauthError(verifyEncrypted(await sign(claims())));
    expect(err).toMatchObject({ status: 400, error: 'invalid_request', clause: 'JARM §2.2, JARM §3' });
    expect(err.description).toContain('arrived in clear');
    expect(err.fix).toContain('encrypt it to the key this client registered');
  });

  it('refuses a JWE to a key the client does not hold (wrong key)', async () => {
    const other = await encryptionKeyPair('someone-else');
    const err = await oauthError(
      verifyEncrypted(await encryptNestedJwt(await sign(claims()), other.publicJwk)),
    );
    expect(err.clause).toBe('RFC 7516 §5.2, JARM §2.2');
    expect(err.description).toContain("cannot be decrypted with this client's keys");
    // The same kid on another key: found by kid, but it does not decrypt.
    const sameKid = { ...other.publicJwk, kid: 'client-enc' };
    const forgedKid = await oauthError(
      verifyEncrypted(await encryptNestedJwt(await sign(claims()), sameKid)),
    );
    expect(forgedKid.clause).toBe('RFC 7516 §5.2, JARM §2.2');
  });

  it.each([
    ['ECDH-ES', 'A256GCM', "alg 'ECDH-ES' and enc 'A256GCM'"],
    ['RSA-OAEP-256', 'A128CBC-HS256', "alg 'RSA-OAEP-256' and enc 'A128CBC-HS256'"],
    ['RSA-OAEP', 'A256GCM', "alg 'RSA-OAEP' and enc 'A256GCM'"],
  ])('refuses alg %s / enc %s, other than the client registered', async (alg, enc, named) => {
    const key =
      alg === 'ECDH-ES' ? (await encryptionKeyPair('client-enc', 'ECDH-ES')).publicJwk : client.publicJwk;
    const err = await oauthError(verifyEncrypted(await encryptAs(await sign(claims()), alg, enc, key)));
    expect(err.clause).toBe('JARM §3, OIDC Registration §2');
    expect(err.description).toContain(`${named}; this client registered RSA-OAEP-256 and A256GCM`);
  });

  it.each([
    ['an unsigned JWT (alg none)', () => unsignedJwt({ alg: 'none' }, claims())],
    ['bare JSON claims', () => JSON.stringify(claims())],
  ])('refuses a JWE holding %s (encrypted but unsigned)', async (_what, plaintext) => {
    const err = await oauthError(verifyEncrypted(await encryptAs(plaintext(), 'RSA-OAEP-256', 'A256GCM')));
    expect(err.clause).toBe('JARM §2.2');
    expect(err.description).toBe(
      'JARM response is encrypted but holds no signed JWT (encrypted but unsigned)',
    );
  });

  it('reads the state of an encrypted response only with the client keys (to find the request)', async () => {
    const response = await encryptNestedJwt(await sign(claims()), client.publicJwk);
    await expect(unverifiedJarmState(response, decryption.keys)).resolves.toBe('state-xyz');
    await expect(unverifiedJarmState(response)).resolves.toBeUndefined();
    await expect(unverifiedJarmState(await sign(claims()))).resolves.toBe('state-xyz');
  });
});
