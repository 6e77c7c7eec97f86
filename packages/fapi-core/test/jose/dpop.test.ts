import { randomBytes, randomUUID } from 'node:crypto';
import { validateHeaderValue } from 'node:http';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessTokenHash,
  createDpopProof,
  type DpopKey,
  generateDpopKey,
  htuFor,
  normalizeHttpUri,
  RotatingDpopNonce,
  type VerifyDpopProofOptions,
  verifyDpopProof,
} from '../../src/jose/dpop.js';
import { InMemoryReplayCache } from '../../src/jose/replay-cache.js';
import { clock, NOW, oauthError, signJwt, signPs256WithNodeKey, unsignedJwt, weakRsaKey } from './helpers.js';

const URL_ = 'https://api.bank.localhost:9543/open-banking/v3.1/aisp/accounts';
const TOKEN = 'an-access-token-bound-to-the-dpop-key';

let key: DpopKey;
let otherKey: DpopKey;

beforeAll(async () => {
  key = await generateDpopKey('ES256');
  otherKey = await generateDpopKey('ES256');
});

function verify(proof: VerifyDpopProofOptions['proof'], overrides: Partial<VerifyDpopProofOptions> = {}) {
  return verifyDpopProof({
    proof,
    method: 'GET',
    url: URL_,
    replayCache: new InMemoryReplayCache({ now: clock() }),
    now: clock(),
    ...overrides,
  });
}

function claims(extra: Record<string, unknown> = {}) {
  return { jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW, ...extra };
}

/** A proof with a chosen header and claims, signed by `signer` (default: the key in the header). */
function proofWith(
  body: Record<string, unknown>,
  header: Record<string, unknown> = {},
  signer: DpopKey = key,
): Promise<string> {
  return signJwt({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk, ...header }, body, signer.privateKey);
}

describe('createDpopProof', () => {
  it('carries typ dpop+jwt, the public jwk, jti, htm, htu without query, iat, ath and nonce', async () => {
    const proof = await createDpopProof({
      key,
      method: 'post',
      url: `${URL_}?page=2#top`,
      accessToken: TOKEN,
      nonce: 'server-nonce',
      now: clock(),
    });
    const header = decodeProtectedHeader(proof);
    expect(header.typ).toBe('dpop+jwt');
    expect(header.alg).toBe('ES256');
    expect(header.jwk).toEqual(key.publicJwk);
    expect((header.jwk as JWK).d).toBeUndefined();
    expect(decodeJwt(proof)).toMatchObject({
      htm: 'POST',
      htu: URL_,
      iat: NOW,
      ath: accessTokenHash(TOKEN),
      nonce: 'server-nonce',
    });
  });

  it('never puts private members in the header, even if handed a private JWK as the public key', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(pair.privateKey);
    const proof = await createDpopProof({
      key: { privateKey: pair.privateKey, publicJwk: privateJwk, alg: 'ES256' },
      method: 'GET',
      url: URL_,
    });
    expect((decodeProtectedHeader(proof).jwk as JWK).d).toBeUndefined();
  });

  it('works with PS256 and EdDSA keys', async () => {
    for (const alg of ['PS256', 'EdDSA'] as const) {
      const k = await generateDpopKey(alg);
      const proof = await createDpopProof({ key: k, method: 'GET', url: URL_, now: clock() });
      expect((await verify(proof)).jkt).toBe(k.jkt);
    }
  });

  it('computes ath as base64url(SHA-256(token)) (RFC 9449 §4.2)', () => {
    expect(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe(
      'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo',
    );
    expect(htuFor('https://x.example/a?b=c#d')).toBe('https://x.example/a');
  });
});

describe('verifyDpopProof', () => {
  it('accepts a fresh proof and returns the key thumbprint, the public jwk and the claims', async () => {
    const proof = await createDpopProof({ key, method: 'GET', url: URL_, now: clock() });
    const result = await verify(proof);
    expect(result.jkt).toBe(key.jkt);
    expect(result.jwk).toEqual(key.publicJwk);
    expect(result.alg).toBe('ES256');
    expect(result.claims.htu).toBe(URL_);
  });

  it('refuses a proof for another URL, naming check 9 and the fix', async () => {
    const proof = await proofWith(
      claims({ htu: 'https://api.bank.localhost:9543/open-banking/v3.1/pisp/payments' }),
    );
    const err = await oauthError(verify(proof));
    expect(err.status).toBe(400);
    expect(err.error).toBe('invalid_dpop_proof');
    expect(err.message).toBe(
      "DPoP proof htu 'https://api.bank.localhost:9543/open-banking/v3.1/pisp/payments' does not match the request URI " +
        `'${URL_}' (RFC 9449 §4.3 check 9). Fix: sign the proof for the exact URL you call, without query or fragment.`,
    );
  });

  it('tolerates htu with a query or fragment, upper-case scheme and host, and an explicit default port', async () => {
    for (const htu of [
      `${URL_}?x=1`,
      `${URL_}#frag`,
      'HTTPS://API.BANK.LOCALHOST:9543/open-banking/v3.1/aisp/accounts',
      'https://api.bank.localhost:9543/open-banking/v3.1/aisp/%61ccounts',
    ]) {
      await expect(verify(await proofWith(claims({ htu })))).resolves.toBeDefined();
    }
    const onDefaultPort = await proofWith(claims({ htu: 'https://bank.localhost:443/token', htm: 'POST' }));
    await expect(
      verify(onDefaultPort, { method: 'POST', url: 'https://bank.localhost/token?x=y' }),
    ).resolves.toBeDefined();
  });

  it('refuses a proof for another method', async () => {
    const err = await oauthError(verify(await proofWith(claims({ htm: 'PUT' }))));
    expect(err.message).toContain("htm 'PUT' does not match the request method 'GET'");
  });

  it('refuses an expired proof (iat 1 h old) and one from the future (iat +1 h); accepts -10 s and +8 s', async () => {
    expect((await oauthError(verify(await proofWith(claims({ iat: NOW - 3600 }))))).message).toContain(
      '60 min old',
    );
    expect((await oauthError(verify(await proofWith(claims({ iat: NOW + 3600 }))))).message).toContain(
      '60 min in the future',
    );
    await expect(verify(await proofWith(claims({ iat: NOW - 10 })))).resolves.toBeDefined();
    await expect(verify(await proofWith(claims({ iat: NOW + 8 })))).resolves.toBeDefined();
  });

  it('refuses a replayed jti', async () => {
    const replayCache = new InMemoryReplayCache({ now: clock() });
    const proof = await proofWith(claims());
    await verify(proof, { replayCache });
    const err = await oauthError(verify(proof, { replayCache }));
    expect(err.message).toContain('was already used with this key');
  });

  it('refuses a key other than the one the token is bound to: invalid_token at the RS', async () => {
    const proof = await proofWith(claims());
    const atAs = await oauthError(verify(proof, { expectedJkt: otherKey.jkt }));
    expect(atAs.error).toBe('invalid_dpop_proof');
    expect(atAs.message).toContain('RFC 9449 §10.1');
    const rsProof = await proofWith(claims({ ath: accessTokenHash(TOKEN) }));
    const atRs = await oauthError(
      verify(rsProof, { expectedJkt: otherKey.jkt, verifier: 'resource-server', accessToken: TOKEN }),
    );
    expect(atRs.status).toBe(401);
    expect(atRs.error).toBe('invalid_token');
    expect(atRs.headers['WWW-Authenticate']).toMatch(/^DPoP error="invalid_token"/);
    await expect(verify(await proofWith(claims()), { expectedJkt: key.jkt })).resolves.toBeDefined();
  });

  it('refuses RS256, HS256 and none', async () => {
    const rsa = await generateKeyPair('RS256');
    const rsJwk = await exportJWK(rsa.publicKey);
    const rs = await signJwt({ typ: 'dpop+jwt', alg: 'RS256', jwk: rsJwk }, claims(), rsa.privateKey);
    expect((await oauthError(verify(rs))).message).toContain("'RS256' (RSASSA-PKCS1-v1_5)");
    const hs = await signJwt(
      { typ: 'dpop+jwt', alg: 'HS256', jwk: key.publicJwk },
      claims(),
      randomBytes(32),
    );
    expect((await oauthError(verify(hs))).message).toContain('symmetric MAC');
    const none = unsignedJwt({ typ: 'dpop+jwt', jwk: key.publicJwk }, claims());
    expect((await oauthError(verify(none))).message).toContain("alg 'none'");
  });

  it('refuses a jwk that contains the private key', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(pair.privateKey);
    const proof = await signJwt(
      { typ: 'dpop+jwt', alg: 'ES256', jwk: privateJwk },
      claims(),
      pair.privateKey,
    );
    const err = await oauthError(verify(proof));
    expect(err.message).toContain('contains private key material (d)');
    expect(err.message).toContain('RFC 9449 §4.3 check 7');
  });

  it('refuses a 1024-bit RSA key', async () => {
    const weak = weakRsaKey();
    const proof = signPs256WithNodeKey({ typ: 'dpop+jwt', jwk: weak.publicJwk }, claims(), weak.privateKey);
    expect((await oauthError(verify(proof))).message).toContain('1024-bit RSA key');
  });

  it('refuses a proof signed by a key other than the one in its header', async () => {
    const err = await oauthError(verify(await proofWith(claims(), {}, otherKey)));
    expect(err.message).toContain('signature that does not verify');
  });

  describe('with a proof key seen before (its import and thumbprint remembered)', () => {
    it('still verifies every signature: a tampered proof or another signer under the same jwk is refused', async () => {
      await expect(verify(await proofWith(claims()))).resolves.toMatchObject({ jkt: key.jkt });
      const [header, , signature] = (await proofWith(claims())).split('.');
      const edited = Buffer.from(JSON.stringify(claims({ htm: 'GET', jti: 'edited' }))).toString('base64url');
      const tampered = await oauthError(verify(`${header}.${edited}.${signature}`));
      expect(tampered.error).toBe('invalid_dpop_proof');
      expect(tampered.message).toContain('signature that does not verify');
      const forged = await oauthError(verify(await proofWith(claims(), {}, otherKey)));
      expect(forged.message).toContain('signature that does not verify');
      // And the key itself still works after the refusals.
      await expect(verify(await proofWith(claims()))).resolves.toMatchObject({ jkt: key.jkt });
    });

    it('keeps two keys apart that differ in a single member', async () => {
      // Same key material and thumbprint, but `use: enc`, which jose refuses for a signature.
      await expect(
        verify(await proofWith(claims(), { jwk: { ...key.publicJwk, use: 'sig' } })),
      ).resolves.toBeDefined();
      const wrongUse = await oauthError(
        verify(await proofWith(claims(), { jwk: { ...key.publicJwk, use: 'enc' } })),
      );
      expect(wrongUse.error).toBe('invalid_dpop_proof');
      // Another y: not the key that signed, even though x, crv and kty match a remembered key.
      const otherY = { ...key.publicJwk, y: otherKey.publicJwk.y };
      // (A point off the curve, refused as a key rather than answered with a 500.)
      const offCurve = await oauthError(verify(await proofWith(claims(), { jwk: otherY })));
      expect(offCurve.error).toBe('invalid_dpop_proof');
      expect(offCurve.message).toContain('not a valid public key');
      // Each key gets its own thumbprint, whichever was seen first.
      const other = await verify(await proofWith(claims(), { jwk: otherKey.publicJwk }, otherKey));
      expect(other.jkt).toBe(otherKey.jkt);
      expect((await verify(await proofWith(claims()))).jkt).toBe(key.jkt);
    });
  });

  it('at a resource server: refuses a missing or wrong ath, with 401 and WWW-Authenticate', async () => {
    const missing = await oauthError(
      verify(await proofWith(claims()), { verifier: 'resource-server', accessToken: TOKEN }),
    );
    expect(missing.status).toBe(401);
    expect(missing.message).toContain('no ath claim');
    const header = missing.headers['WWW-Authenticate']!;
    expect(header).toMatch(
      /^DPoP error="invalid_dpop_proof", error_description="[^"]+", algs="PS256 ES256 EdDSA Ed25519"$/,
    );
    expect(() => validateHeaderValue('WWW-Authenticate', header)).not.toThrow();
    const wrong = await oauthError(
      verify(await proofWith(claims({ ath: accessTokenHash('another token') })), {
        verifier: 'resource-server',
        accessToken: TOKEN,
      }),
    );
    expect(wrong.message).toContain('is not the hash of the access token');
    const proof = await proofWith(claims({ ath: accessTokenHash(TOKEN) }));
    await expect(verify(proof, { verifier: 'resource-server', accessToken: TOKEN })).resolves.toBeDefined();
  });

  describe('server nonces', () => {
    const nonces = new RotatingDpopNonce({ now: clock() });

    it('answers use_dpop_nonce with a DPoP-Nonce header when the nonce is missing', async () => {
      const err = await oauthError(verify(await proofWith(claims()), { nonces }));
      expect(err.status).toBe(400);
      expect(err.error).toBe('use_dpop_nonce');
      expect(err.headers['DPoP-Nonce']).toBe(nonces.current());
      expect(err.message).toContain('RFC 9449 §8');
    });

    it('answers use_dpop_nonce for a mismatched nonce; at an RS with 401 and WWW-Authenticate', async () => {
      const proof = await proofWith(claims({ nonce: 'stale' }));
      const err = await oauthError(verify(proof, { nonces, verifier: 'resource-server' }));
      expect(err.status).toBe(401);
      expect(err.error).toBe('use_dpop_nonce');
      expect(err.headers['WWW-Authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/);
      expect(err.headers['DPoP-Nonce']).toBe(nonces.current());
    });

    it('accepts the current nonce', async () => {
      await expect(
        verify(await proofWith(claims({ nonce: nonces.current() })), { nonces }),
      ).resolves.toBeDefined();
    });

    it('rotates: the previous nonce stays valid for one window, then expires', () => {
      let now = 1_000_000_000;
      const rotating = new RotatingDpopNonce({
        rotationSeconds: 60,
        now: () => now,
        secret: randomBytes(32),
      });
      const first = rotating.current();
      now += 60_000;
      expect(rotating.current()).not.toBe(first);
      expect(rotating.isValid(first)).toBe(true);
      now += 60_000;
      expect(rotating.isValid(first)).toBe(false);
      expect(new RotatingDpopNonce({ now: () => now }).isValid(rotating.current())).toBe(false);
    });

    it("remembers each window's nonce without ever answering another window's", () => {
      const secret = randomBytes(32);
      let now = 1_000_000_000;
      const remembering = new RotatingDpopNonce({ now: () => now, secret });
      const fresh = () => new RotatingDpopNonce({ now: () => now, secret }).current();
      const seen = new Set<string>();
      // Forward through four windows, then the clock set back: each answer is the window's own HMAC.
      for (const step of [0, 60_000, 60_000, 60_000, -180_000, 120_000]) {
        now += step;
        for (let ask = 0; ask < 3; ask++) expect(remembering.current()).toBe(fresh());
        seen.add(remembering.current());
        expect(remembering.isValid(fresh())).toBe(true);
      }
      expect(seen.size).toBe(4);
    });
  });

  it('refuses two DPoP headers, whether kept apart or joined by a comma', async () => {
    const a = await proofWith(claims());
    const b = await proofWith(claims());
    expect((await oauthError(verify([a, b]))).message).toContain('more than one DPoP header');
    expect((await oauthError(verify(`${a}, ${b}`))).message).toContain('more than one DPoP header');
  });

  it('refuses a missing header, a non-JWS, a missing or wrong typ, and a missing jwk', async () => {
    expect((await oauthError(verify(undefined))).message).toContain('no DPoP header');
    expect((await oauthError(verify('not-a-jwt'))).message).toContain('not a JWS in compact serialization');
    expect((await oauthError(verify(await proofWith(claims(), { typ: undefined })))).message).toContain(
      'no typ header',
    );
    expect(
      (await oauthError(verify(await proofWith(claims(), { typ: 'dpop+jwt+wrongyousee' })))).message,
    ).toContain("typ 'dpop+jwt+wrongyousee' is not 'dpop+jwt'");
    await expect(verify(await proofWith(claims(), { typ: 'DPoP+JWT' }))).resolves.toBeDefined();
    expect((await oauthError(verify(await proofWith(claims(), { jwk: undefined })))).message).toContain(
      'no jwk header',
    );
  });

  it.each(['jti', 'htm', 'htu', 'iat'])('refuses a proof without %s', async (name) => {
    const body: Record<string, unknown> = claims();
    delete body[name];
    expect((await oauthError(verify(await proofWith(body)))).message).toContain(`no ${name} claim`);
  });

  it('tolerates extra claims such as nbf and exp', async () => {
    await expect(
      verify(await proofWith(claims({ nbf: NOW, exp: NOW + 300, extra: 'x' }))),
    ).resolves.toBeDefined();
  });
});

describe('normalizeHttpUri', () => {
  it('lower-cases scheme and host, drops the default port, query and fragment', () => {
    expect(normalizeHttpUri('HTTPS://Bank.LOCALHOST:443/Token?x=1#y')).toBe('https://bank.localhost/Token');
    expect(normalizeHttpUri('https://bank.localhost:9443')).toBe('https://bank.localhost:9443/');
    expect(normalizeHttpUri('https://x.example/%7euser/%2f')).toBe('https://x.example/~user/%2F');
    expect(normalizeHttpUri('ftp://x.example/')).toBeUndefined();
    expect(normalizeHttpUri('/relative')).toBeUndefined();
  });
});
