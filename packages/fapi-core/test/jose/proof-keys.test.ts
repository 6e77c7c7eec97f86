// Remembered DPoP proof keys: one entry per exact JWK (every member counts, member order does not), and a
// bounded number of them, the least recently used forgotten first.
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { canonicalJson, proofKeyOf } from '../../src/jose/proof-keys.js';
import { jwkThumbprint } from '../../src/jose/thumbprint.js';
import { Lru } from '../../src/lru.js';

describe('proofKeyOf', () => {
  it('gives the same entry for the same JWK in any member order, and a separate one if any member differs', async () => {
    const jwk = await exportJWK((await generateKeyPair('ES256')).publicKey);
    const reordered = { y: jwk.y, x: jwk.x, kty: jwk.kty, crv: jwk.crv };
    expect(proofKeyOf(reordered)).toBe(proofKeyOf(jwk));
    for (const variant of [
      { ...jwk, kid: 'a' },
      { ...jwk, use: 'enc' },
      { ...jwk, x: jwk.y },
    ]) {
      expect(proofKeyOf(variant)).not.toBe(proofKeyOf(jwk));
    }
    expect(proofKeyOf({ ...jwk, kid: 'a' })).not.toBe(proofKeyOf({ ...jwk, kid: 'b' }));
    expect(await proofKeyOf(jwk).thumbprint()).toBe(await jwkThumbprint(jwk));
  });

  it('keeps its own copy of the JWK, not the caller object', async () => {
    const jwk = await exportJWK((await generateKeyPair('ES256')).publicKey);
    const entry = proofKeyOf(jwk);
    jwk.x = 'changed-by-the-caller';
    expect(entry.jwk.x).not.toBe('changed-by-the-caller');
  });
});

describe('canonicalJson', () => {
  it('sorts members at every level and keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,1]},"b":1}');
    expect(canonicalJson({ a: '"},{"b":1' })).not.toBe(canonicalJson({ a: '', b: 1 }));
  });
});

describe('Lru', () => {
  it('forgets the least recently used entry first', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    expect(lru.size).toBe(2);
    expect(() => new Lru(0)).toThrow(RangeError);
  });
});
