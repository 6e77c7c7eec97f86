import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { OAuthError } from '../../src/errors.js';
import {
  assertFapiAlg,
  assertFapiKey,
  describeKey,
  everyProfileSigningAlgs,
  fapiSigningAlgs,
  isEveryProfileSigningAlg,
  isFapiSigningAlg,
} from '../../src/jose/algorithms.js';
import { rejectAs } from '../../src/jose/reject.js';

const reject = rejectAs('invalid_client', 401);

function thrown(action: () => void): OAuthError {
  try {
    action();
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError);
    return err as OAuthError;
  }
  throw new Error('expected a rejection');
}

describe('FAPI signing algorithms', () => {
  it('lists PS256, ES256 and EdDSA (also as Ed25519, RFC 9864) for FAPI 2.0 and only PS256, ES256 for FAPI 1.0 Advanced', () => {
    expect(fapiSigningAlgs('fapi2')).toEqual(['PS256', 'ES256', 'EdDSA', 'Ed25519']);
    expect(fapiSigningAlgs('fapi1-advanced')).toEqual(['PS256', 'ES256']);
    expect(isFapiSigningAlg('EdDSA')).toBe(true);
    expect(isFapiSigningAlg('EdDSA', 'fapi1-advanced')).toBe(false);
    expect(isFapiSigningAlg('Ed25519')).toBe(true);
    expect(isFapiSigningAlg('Ed25519', 'fapi1-advanced')).toBe(false);
    expect(isFapiSigningAlg('RS256')).toBe(false);
  });

  it('names PS256 and ES256 as what every profile allows (what the bank and the directory sign with)', () => {
    expect(everyProfileSigningAlgs()).toEqual(['PS256', 'ES256']);
    expect(isEveryProfileSigningAlg('ES256')).toBe(true);
    expect(isEveryProfileSigningAlg('EdDSA')).toBe(false);
    expect(isEveryProfileSigningAlg('RS256')).toBe(false);
    expect(isEveryProfileSigningAlg(undefined)).toBe(false);
  });

  it.each(['PS256', 'ES256', 'EdDSA', 'Ed25519'])('accepts %s', (alg) => {
    expect(() => assertFapiAlg(alg, 'client assertion', reject)).not.toThrow();
  });

  it('refuses alg none (any case), naming FAPI 2.0 §5.4.1-1.3', () => {
    for (const alg of ['none', 'NONE', 'None']) {
      const err = thrown(() => assertFapiAlg(alg, 'client assertion', reject));
      expect(err.error).toBe('invalid_client');
      expect(err.status).toBe(401);
      expect(err.message).toContain("unsigned (alg 'none')");
      expect(err.message).toContain('FAPI 2.0 SP §5.4.1-1.3');
      expect(err.message).toContain('Fix:');
    }
  });

  it('refuses RS256 as RSASSA-PKCS1-v1_5, suggesting PS256', () => {
    const err = thrown(() => assertFapiAlg('RS256', 'request object', reject));
    expect(err.message).toContain("'RS256' (RSASSA-PKCS1-v1_5)");
    expect(err.message).toContain('FAPI 2.0 SP §5.4.1-1.2');
    expect(err.message).toContain('PS256');
    const fapi1 = thrown(() =>
      assertFapiAlg('RS256', 'request object', reject, { profile: 'fapi1-advanced' }),
    );
    expect(fapi1.message).toContain('FAPI 1.0 Adv §8.6');
  });

  it.each(['HS256', 'HS384', 'HS512'])('refuses the symmetric %s', (alg) => {
    const err = thrown(() => assertFapiAlg(alg, 'DPoP proof', reject));
    expect(err.message).toContain('symmetric MAC');
  });

  it('refuses algorithms outside the list and a missing alg', () => {
    expect(thrown(() => assertFapiAlg('ES384', 'x', reject)).message).toContain(
      "'ES384', which is not accepted here",
    );
    const es384 = thrown(() => assertFapiAlg('ES384', 'x', reject)).message;
    expect(es384).toContain('only PS256, ES256, EdDSA, Ed25519');
    expect(es384).toContain('Fix: sign it with PS256, ES256, EdDSA, Ed25519');
    expect(thrown(() => assertFapiAlg(undefined, 'x', reject)).message).toContain("no 'alg' header");
    expect(
      thrown(() => assertFapiAlg('EdDSA', 'x', reject, { profile: 'fapi1-advanced' })).message,
    ).toContain('FAPI 1.0 Adv §8.6-1');
  });

  it('honours a narrower allowed list (a client registered PS256 only)', () => {
    expect(() => assertFapiAlg('PS256', 'x', reject, { allowed: ['PS256'] })).not.toThrow();
    expect(thrown(() => assertFapiAlg('ES256', 'x', reject, { allowed: ['PS256'] })).message).toContain(
      'only PS256',
    );
  });
});

describe('FAPI key rules', () => {
  it('describes CryptoKeys, KeyObjects and JWKs alike', async () => {
    const rsa = await generateKeyPair('PS256', { modulusLength: 3072 });
    expect(describeKey(rsa.publicKey)).toEqual({ kty: 'RSA', modulusLength: 3072 });
    expect(describeKey(await exportJWK(rsa.publicKey))).toEqual({ kty: 'RSA', modulusLength: 3072 });
    const ec = await generateKeyPair('ES256');
    expect(describeKey(ec.privateKey)).toEqual({ kty: 'EC', crv: 'P-256' });
    const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    expect(describeKey(await exportJWK(ed.publicKey))).toEqual({ kty: 'OKP', crv: 'Ed25519' });
    const node = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(describeKey(node.publicKey)).toEqual({ kty: 'EC', crv: 'P-384' });
  }, 30_000); // a 3072-bit RSA key takes seconds to generate on a busy 2-core machine

  it('accepts RSA 2048 for PS256, P-256 for ES256 and Ed25519 for EdDSA', async () => {
    const rsa = await generateKeyPair('PS256');
    const ec = await generateKeyPair('ES256');
    const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    expect(() => assertFapiKey(rsa.privateKey, 'PS256', 'k', reject)).not.toThrow();
    expect(() => assertFapiKey(ec.publicKey, 'ES256', 'k', reject)).not.toThrow();
    expect(() => assertFapiKey(ed.publicKey, 'EdDSA', 'k', reject)).not.toThrow();
    expect(() => assertFapiKey(ed.publicKey, 'Ed25519', 'k', reject)).not.toThrow();
  });

  it("refuses an Ed448 key for alg 'Ed25519', naming the alg sent", () => {
    const ed448 = generateKeyPairSync('ed448').publicKey;
    expect(thrown(() => assertFapiKey(ed448, 'Ed25519', 'k', reject)).message).toContain(
      "says alg 'Ed25519' but its key is Ed448, not Ed25519",
    );
  });

  it('refuses a 1024-bit RSA key in every form, naming the key-size clause of the profile', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    for (const key of [publicKey, publicKey.export({ format: 'jwk' })]) {
      const err = thrown(() => assertFapiKey(key, 'PS256', 'client assertion', reject));
      expect(err.message).toContain('1024-bit RSA key');
      expect(err.message).toContain('FAPI 2.0 SP §5.4.1-2');
    }
    const fapi1 = thrown(() => assertFapiKey(publicKey, 'PS256', 'k', reject, 'fapi1-advanced'));
    expect(fapi1.message).toContain('FAPI 1.0 Part 1 §5.2.2-5');
  });

  it('refuses keys that do not fit the algorithm', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    expect(thrown(() => assertFapiKey(p384, 'ES256', 'k', reject)).message).toContain(
      'on curve P-384, not EC P-256',
    );
    const ec = await generateKeyPair('ES256');
    expect(thrown(() => assertFapiKey(ec.publicKey, 'PS256', 'k', reject)).message).toContain('not RSA');
    const ed448 = generateKeyPairSync('ed448').publicKey;
    expect(thrown(() => assertFapiKey(ed448, 'EdDSA', 'k', reject)).message).toContain('Ed448, not Ed25519');
    expect(
      thrown(() => assertFapiKey({ kty: 'oct', k: 'c2VjcmV0' }, 'ES256', 'k', reject)).message,
    ).toContain('symmetric (oct)');
  });
});
