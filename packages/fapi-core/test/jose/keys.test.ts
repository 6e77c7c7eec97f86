import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientAssertion } from '../../src/jose/client-assertion.js';
import { loadSigningKeys, signingKeysFromJwks, toPublicJwk } from '../../src/jose/keys.js';

let dir: string;
let ps256: JWK;
let es256: JWK;

async function privateJwk(alg: string, kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig', x5c: ['MIIB-test-chain'] };
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fapi-core-keys-'));
  ps256 = await privateJwk('PS256', 'tpp-ps256');
  es256 = await privateJwk('ES256', 'tpp-es256');
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('signing keys from a private JWKS', () => {
  it('loads a file, picks a key by alg (and kid), and publishes only public halves', async () => {
    const file = path.join(dir, 'signing.private.jwks.json');
    await fs.writeFile(file, JSON.stringify({ keys: [ps256, es256] }));
    const set = await loadSigningKeys(file);
    expect(set.keys.map((k) => k.kid)).toEqual(['tpp-ps256', 'tpp-es256']);
    expect(set.forAlg('ES256').kid).toBe('tpp-es256');
    expect(set.forAlg('PS256', 'tpp-ps256').alg).toBe('PS256');
    expect(() => set.forAlg('EdDSA')).toThrow(
      /no EdDSA signing key; it has tpp-ps256 \(PS256\), tpp-es256 \(ES256\)/,
    );
    const published = set.publicJwks();
    for (const jwk of published.keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwk).not.toHaveProperty(member);
      expect(jwk.x5c).toEqual(['MIIB-test-chain']);
      expect(jwk.use).toBe('sig');
    }
    const copy = set.privateJwks();
    expect(copy.keys[0]!.d).toBe(ps256.d);
    copy.keys[0]!.kid = 'changed';
    expect(set.privateJwks().keys[0]!.kid).toBe('tpp-ps256');
  });

  it('signs with a loaded key so that its published JWKS verifies', async () => {
    const set = await signingKeysFromJwks({ keys: [ps256] });
    const signingKey = set.forAlg('PS256');
    const assertion = await createClientAssertion({
      clientId: 'c',
      issuer: 'https://as.example',
      signingKey,
    });
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(set.publicJwks()), {
      issuer: 'c',
      audience: 'https://as.example',
    });
    expect(payload.sub).toBe('c');
  });

  it('names `pnpm pki` when the file is missing', async () => {
    await expect(loadSigningKeys(path.join(dir, 'absent.json'))).rejects.toThrow(/pnpm pki/);
  });

  it('refuses keys FAPI does not allow: RS256, 1024-bit RSA, no kid, public only, duplicate kid', async () => {
    const rs = await privateJwk('RS256', 'rs');
    await expect(signingKeysFromJwks({ keys: [rs] })).rejects.toThrow(/RSASSA-PKCS1-v1_5/);
    const weak = {
      ...(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }) as JWK),
      kid: 'weak',
      alg: 'PS256',
    };
    await expect(signingKeysFromJwks({ keys: [weak] })).rejects.toThrow(/1024-bit RSA key/);
    const { kid: _kid, ...noKid } = ps256;
    await expect(signingKeysFromJwks({ keys: [noKid] })).rejects.toThrow(/has no kid/);
    await expect(signingKeysFromJwks({ keys: [toPublicJwk(ps256)] })).rejects.toThrow(/not a private key/);
    await expect(signingKeysFromJwks({ keys: [ps256, { ...es256, kid: 'tpp-ps256' }] })).rejects.toThrow(
      /same kid/,
    );
    await expect(signingKeysFromJwks({})).rejects.toThrow(/no "keys" array/);
  });

  it('publishes encryption keys but never signs with them', async () => {
    const enc = { ...(await privateJwk('ES256', 'enc-1')), use: 'enc', alg: 'ECDH-ES' };
    const set = await signingKeysFromJwks({ keys: [es256, enc] });
    expect(set.keys.map((k) => k.kid)).toEqual(['tpp-es256']);
    expect(set.publicJwks().keys.map((k) => k.kid)).toEqual(['tpp-es256', 'enc-1']);
  });

  it('toPublicJwk strips private members and key_ops', () => {
    expect(
      toPublicJwk({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd', key_ops: ['sign'], kid: 'k' }),
    ).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: 'x',
      y: 'y',
      kid: 'k',
    });
  });
});
