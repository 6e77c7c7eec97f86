import { randomUUID } from 'node:crypto';
import { type CryptoKey, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_ASSERTION_TYPE,
  clientAssertionParams,
  createClientAssertion,
  InMemoryReplayCache,
  type VerifyClientAssertionOptions,
  verifyClientAssertion,
} from '../../src/jose/client-assertion.js';
import { clock, NOW, oauthError, signJwt, signPs256WithNodeKey, unsignedJwt, weakRsaKey } from './helpers.js';

const ISSUER = 'https://bank.localhost:9443';
const TOKEN_ENDPOINT = `${ISSUER}/token`;
const CLIENT = 'moneywise-client';
const OTHER_CLIENT = 'budgetly-client';

let ps256: { privateKey: CryptoKey; publicJwk: JWK };
let es256: { privateKey: CryptoKey; publicJwk: JWK };
let otherKey: { privateKey: CryptoKey; publicJwk: JWK };
let rs256: { privateKey: CryptoKey; publicJwk: JWK };

async function keyPair(alg: string, kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

beforeAll(async () => {
  ps256 = await keyPair('PS256', 'mw-ps256');
  es256 = await keyPair('ES256', 'mw-es256');
  otherKey = await keyPair('PS256', 'bd-ps256');
  rs256 = await keyPair('RS256', 'mw-rs256');
});

function verify(assertion: unknown, overrides: Partial<VerifyClientAssertionOptions> = {}) {
  const registered: Record<string, { keys: JWK[] }> = {
    [CLIENT]: { keys: [ps256.publicJwk, es256.publicJwk, rs256.publicJwk] },
    [OTHER_CLIENT]: { keys: [otherKey.publicJwk] },
  };
  return verifyClientAssertion({
    assertion,
    assertionType: CLIENT_ASSERTION_TYPE,
    issuer: ISSUER,
    clientKeys: async (clientId) => registered[clientId],
    replayCache: new InMemoryReplayCache({ now: clock() }),
    now: clock(),
    ...overrides,
  });
}

function claims(extra: Record<string, unknown> = {}) {
  return { iss: CLIENT, sub: CLIENT, aud: ISSUER, jti: randomUUID(), iat: NOW, exp: NOW + 60, ...extra };
}

const signPs256 = (body: Record<string, unknown>) =>
  signJwt({ alg: 'PS256', kid: 'mw-ps256' }, body, ps256.privateKey);

describe('createClientAssertion', () => {
  it('signs iss = sub = client_id, aud = issuer as a string, a fresh jti, iat, nbf and exp = iat + 60', async () => {
    const assertion = await createClientAssertion({
      clientId: CLIENT,
      issuer: ISSUER,
      signingKey: { key: ps256.privateKey, alg: 'PS256', kid: 'mw-ps256' },
      now: clock(),
    });
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'PS256', kid: 'mw-ps256' });
    const body = decodeJwt(assertion);
    expect(body).toMatchObject({ iss: CLIENT, sub: CLIENT, aud: ISSUER, iat: NOW, nbf: NOW, exp: NOW + 60 });
    expect(body.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(clientAssertionParams(assertion)).toEqual({
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: assertion,
    });
  });

  it('refuses to sign with a key FAPI does not allow', async () => {
    const weak = weakRsaKey();
    await expect(
      createClientAssertion({
        clientId: CLIENT,
        issuer: ISSUER,
        signingKey: { key: weak.privateKey, alg: 'PS256' },
      }),
    ).rejects.toThrow(/1024-bit RSA key/);
  });
});

describe('verifyClientAssertion', () => {
  it('accepts an assertion made by createClientAssertion, PS256 and ES256', async () => {
    for (const [key, alg, kid] of [
      [ps256.privateKey, 'PS256', 'mw-ps256'],
      [es256.privateKey, 'ES256', 'mw-es256'],
    ] as const) {
      const assertion = await createClientAssertion({
        clientId: CLIENT,
        issuer: ISSUER,
        signingKey: { key, alg, kid },
        now: clock(),
      });
      const result = await verify(assertion, { clientId: CLIENT });
      expect(result.clientId).toBe(CLIENT);
      expect(result.alg).toBe(alg);
    }
  });

  it('refuses the token endpoint URL as aud under FAPI 2.0 (§5.3.2.1-8)', async () => {
    const err = await oauthError(verify(await signPs256(claims({ aud: TOKEN_ENDPOINT }))));
    expect(err.status).toBe(401);
    expect(err.error).toBe('invalid_client');
    expect(err.message).toContain('FAPI 2.0 SP §5.3.2.1-8');
    expect(err.message).toContain('an endpoint URL is not accepted under FAPI 2.0');
    expect(err.message).toContain(`Fix: set aud to the string '${ISSUER}' exactly.`);
  });

  it('refuses aud as an array, even one containing the issuer, under FAPI 2.0', async () => {
    const err = await oauthError(verify(await signPs256(claims({ aud: [ISSUER, 'https://other.example'] }))));
    expect(err.message).toContain('aud is an array');
  });

  it('under FAPI 1.0 Advanced accepts the issuer in an array and a configured token endpoint', async () => {
    const options = { profile: 'fapi1-advanced' as const, audiences: [TOKEN_ENDPOINT] };
    await expect(verify(await signPs256(claims({ aud: [ISSUER, 'x'] })), options)).resolves.toMatchObject({
      clientId: CLIENT,
    });
    await expect(verify(await signPs256(claims({ aud: TOKEN_ENDPOINT })), options)).resolves.toMatchObject({
      clientId: CLIENT,
    });
    const err = await oauthError(
      verify(await signPs256(claims({ aud: 'https://rs.example/userinfo' })), options),
    );
    expect(err.message).toContain('does not identify this authorization server');
  });

  it('refuses a replayed assertion (same jti twice)', async () => {
    const replayCache = new InMemoryReplayCache({ now: clock() });
    const assertion = await signPs256(claims());
    await verify(assertion, { replayCache });
    const err = await oauthError(verify(assertion, { replayCache }));
    expect(err.message).toContain('was already used');
    expect(err.message).toContain('RFC 7523 §3 item 7');
  });

  it('refuses an assertion that expired 5 minutes ago', async () => {
    const err = await oauthError(verify(await signPs256(claims({ iat: NOW - 360, exp: NOW - 300 }))));
    expect(err.message).toContain('expired 5 min ago');
  });

  it('accepts iat/nbf 8 s ahead but refuses 62 s ahead (FAPI 2.0 §5.3.2.1-13)', async () => {
    await expect(
      verify(await signPs256(claims({ iat: NOW + 8, nbf: NOW + 8, exp: NOW + 68 }))),
    ).resolves.toBeDefined();
    const err = await oauthError(
      verify(await signPs256(claims({ iat: NOW + 62, nbf: NOW + 62, exp: NOW + 122 }))),
    );
    expect(err.message).toContain('62 s in the future');
    expect(err.message).toContain('FAPI 2.0 SP §5.3.2.1-13');
  });

  it('refuses a missing sub, sub ≠ iss, and a client_id parameter naming another client', async () => {
    const { sub: _omitted, ...withoutSub } = claims();
    expect((await oauthError(verify(await signPs256(withoutSub)))).message).toContain("no 'sub' claim");
    expect((await oauthError(verify(await signPs256(claims({ sub: 'someone' }))))).message).toContain(
      'differs from iss',
    );
    expect(
      (await oauthError(verify(await signPs256(claims()), { clientId: OTHER_CLIENT }))).message,
    ).toContain("does not match the client assertion's iss");
  });

  it('refuses an unknown client and an assertion signed with another client’s key', async () => {
    const unknown = await signPs256(claims({ iss: 'nobody', sub: 'nobody' }));
    expect((await oauthError(verify(unknown))).message).toContain("'nobody' is not a registered client_id");
    // Budgetly's id, signed with Moneywise's key under Budgetly's kid: the signature cannot verify.
    const forged = await signJwt(
      { alg: 'PS256', kid: 'bd-ps256' },
      claims({ iss: OTHER_CLIENT, sub: OTHER_CLIENT }),
      ps256.privateKey,
    );
    const err = await oauthError(verify(forged));
    expect(err.message).toContain('signature that does not verify');
    // Signed with a kid the client never registered.
    const unknownKid = await signJwt({ alg: 'PS256', kid: 'nope' }, claims(), ps256.privateKey);
    expect((await oauthError(verify(unknownKid))).message).toContain('not in the signer');
  });

  it('refuses RS256, HS256 and none', async () => {
    const rs = await signJwt({ alg: 'RS256', kid: 'mw-rs256' }, claims(), rs256.privateKey);
    expect((await oauthError(verify(rs))).message).toContain("'RS256' (RSASSA-PKCS1-v1_5)");
    const hs = await signJwt({ alg: 'HS256' }, claims(), new TextEncoder().encode('x'.repeat(32)));
    expect((await oauthError(verify(hs))).message).toContain('symmetric MAC');
    expect((await oauthError(verify(unsignedJwt({}, claims())))).message).toContain("alg 'none'");
  });

  it('refuses an assertion signed with a 1024-bit RSA key the client registered', async () => {
    const weak = weakRsaKey();
    const assertion = signPs256WithNodeKey({ kid: 'weak' }, claims(), weak.privateKey);
    const err = await oauthError(
      verify(assertion, { clientKeys: async () => ({ keys: [{ ...weak.publicJwk, kid: 'weak' }] }) }),
    );
    expect(err.message).toContain('1024-bit RSA key');
  });

  it('refuses a missing assertion, a wrong assertion type, no jti and no exp', async () => {
    expect((await oauthError(verify(undefined))).message).toContain('no client_assertion');
    expect(
      (await oauthError(verify(await signPs256(claims()), { assertionType: 'password' }))).message,
    ).toContain('is not the JWT bearer type');
    const { jti: _jti, ...withoutJti } = claims();
    expect((await oauthError(verify(await signPs256(withoutJti)))).message).toContain("no 'jti' claim");
    const { exp: _exp, ...withoutExp } = claims();
    expect((await oauthError(verify(await signPs256(withoutExp)))).message).toContain("no 'exp' claim");
    expect((await oauthError(verify('not.a.jwt!'))).message).toContain('not a JWS in compact serialization');
  });
});
