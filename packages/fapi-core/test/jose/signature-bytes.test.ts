import { constants, createPrivateKey, sign } from 'node:crypto';
import { CompactSign, type CryptoKey, compactVerify, exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { OAuthError } from '../../src/errors.js';
import type { FapiSigningAlg } from '../../src/jose/algorithms.js';
import { verifyCompactJws } from '../../src/jose/signature.js';
import {
  InvalidPublicKey,
  signatureVerifies,
  UnusableVerificationKey,
} from '../../src/jose/signature-bytes.js';
import { oauthError } from './helpers.js';

const ALGS: FapiSigningAlg[] = ['PS256', 'ES256', 'EdDSA', 'Ed25519'];

async function keyPairFor(alg: FapiSigningAlg) {
  const { privateKey, publicKey } = await generateKeyPair(alg === 'Ed25519' ? 'EdDSA' : alg, {
    extractable: true,
    ...(alg === 'EdDSA' || alg === 'Ed25519' ? { crv: 'Ed25519' } : {}),
  });
  return { privateKey, publicKey, publicJwk: await exportJWK(publicKey) };
}

async function jwsSignedWith(alg: FapiSigningAlg, privateKey: CryptoKey, payload = '{"sub":"alice"}') {
  // jose signs EdDSA for either name: the bytes are Ed25519's.
  const signed = await new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: alg === 'Ed25519' ? 'EdDSA' : alg })
    .sign(privateKey);
  const [header, body, signature] = signed.split('.') as [string, string, string];
  return { signed, input: `${header}.${body}`, signature };
}

function flipped(signature: string): string {
  const bytes = Buffer.from(signature, 'base64url');
  bytes[bytes.length - 1]! ^= 1;
  return bytes.toString('base64url');
}

describe('signatureVerifies: the signature step, by OpenSSL, agrees with jose', () => {
  for (const alg of ALGS) {
    it(`${alg}: a signature jose made verifies with the CryptoKey and the JWK, and one altered bit fails, as jose says`, async () => {
      const { privateKey, publicKey, publicJwk } = await keyPairFor(alg);
      const { signed, input, signature } = await jwsSignedWith(alg, privateKey);
      expect(signatureVerifies(alg, publicKey, input, signature)).toBe(true);
      expect(signatureVerifies(alg, publicJwk, input, signature)).toBe(true);
      const forged = flipped(signature);
      expect(signatureVerifies(alg, publicKey, input, forged)).toBe(false);
      const [header, body] = signed.split('.');
      await expect(compactVerify(`${header}.${body}.${forged}`, publicKey)).rejects.toThrow();
      // Another payload under the same signature.
      expect(signatureVerifies(alg, publicJwk, `${input}x`, signature)).toBe(false);
    });
  }

  it('ES256: a DER-encoded signature (not R || S) is refused (RFC 7518 §3.4)', async () => {
    const { privateKey, publicJwk } = await keyPairFor('ES256');
    const { input } = await jwsSignedWith('ES256', privateKey);
    const der = sign('sha256', Buffer.from(input), {
      key: createPrivateKey({ key: (await exportJWK(privateKey)) as never, format: 'jwk' }),
      dsaEncoding: 'der',
    });
    expect(signatureVerifies('ES256', publicJwk, input, der.toString('base64url'))).toBe(false);
  });

  it('PS256: only a salt as long as the hash verifies (RFC 7518 §3.5)', async () => {
    const { privateKey, publicJwk } = await keyPairFor('PS256');
    const { input } = await jwsSignedWith('PS256', privateKey);
    const key = createPrivateKey({ key: (await exportJWK(privateKey)) as never, format: 'jwk' });
    const withSalt = (saltLength: number) =>
      sign('sha256', Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
    expect(signatureVerifies('PS256', publicJwk, input, withSalt(32).toString('base64url'))).toBe(true);
    expect(signatureVerifies('PS256', publicJwk, input, withSalt(0).toString('base64url'))).toBe(false);
    expect(signatureVerifies('PS256', publicJwk, input, withSalt(64).toString('base64url'))).toBe(false);
  });

  it('refuses a JWK that may not verify: private, use enc, key_ops without verify, another alg (RFC 7517 §4.2-4.4)', async () => {
    const { privateKey, publicJwk } = await keyPairFor('ES256');
    const { input, signature } = await jwsSignedWith('ES256', privateKey);
    const refusals: JWK[] = [
      await exportJWK(privateKey),
      { ...publicJwk, use: 'enc' },
      { ...publicJwk, key_ops: ['encrypt'] },
      { ...publicJwk, alg: 'PS256' },
    ];
    for (const jwk of refusals) {
      expect(() => signatureVerifies('ES256', jwk, input, signature)).toThrow(UnusableVerificationKey);
    }
    // The same members, allowing it.
    const allowed = { ...publicJwk, use: 'sig', key_ops: ['verify'], alg: 'ES256' };
    expect(signatureVerifies('ES256', allowed, input, signature)).toBe(true);
  });

  it('checks a remembered JWK against each JWS: allowed for its own alg, refused for another', async () => {
    const { privateKey, publicJwk } = await keyPairFor('ES256');
    const { input, signature } = await jwsSignedWith('ES256', privateKey);
    const jwk = { ...publicJwk, alg: 'ES256' };
    expect(signatureVerifies('ES256', jwk, input, signature)).toBe(true);
    expect(() => signatureVerifies('PS256', jwk, input, signature)).toThrow(UnusableVerificationKey);
  });

  it('refuses a private CryptoKey and a JWK that is no public key (a point off its curve)', async () => {
    const { privateKey, publicJwk } = await keyPairFor('ES256');
    const { input, signature } = await jwsSignedWith('ES256', privateKey);
    expect(() => signatureVerifies('ES256', privateKey, input, signature)).toThrow(UnusableVerificationKey);
    const other = await keyPairFor('ES256');
    const offCurve = { ...publicJwk, y: other.publicJwk.y };
    expect(() => signatureVerifies('ES256', offCurve, input, signature)).toThrow(InvalidPublicKey);
  });
});

describe('verifyCompactJws with node verification', () => {
  const reject = (violation: { description: string; clause: string; fix: string }) =>
    new OAuthError({ status: 401, error: 'invalid_token', ...violation });

  it('refuses a JWS with a critical header parameter, which it cannot honour (RFC 7515 §4.1.11)', async () => {
    const { privateKey, publicJwk } = await keyPairFor('ES256');
    // jose will not sign an unknown critical parameter either: the JWS is built by hand.
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', crit: ['urn:x'], 'urn:x': 1 })).toString(
      'base64url',
    );
    const body = Buffer.from('{"sub":"alice"}').toString('base64url');
    const key = createPrivateKey({ key: (await exportJWK(privateKey)) as never, format: 'jwk' });
    const signature = sign('sha256', Buffer.from(`${header}.${body}`), { key, dsaEncoding: 'ieee-p1363' });
    const token = `${header}.${body}.${signature.toString('base64url')}`;
    const error = await oauthError(verifyCompactJws(token, publicJwk, { what: 'request object', reject }));
    expect(error.errorDescription).toMatch(/critical header parameters/);
    // Without crit, the same construction verifies: it is crit that is refused.
    const plainHeader = Buffer.from(JSON.stringify({ alg: 'ES256' })).toString('base64url');
    const plain = sign('sha256', Buffer.from(`${plainHeader}.${body}`), { key, dsaEncoding: 'ieee-p1363' });
    await expect(
      verifyCompactJws(`${plainHeader}.${body}.${plain.toString('base64url')}`, publicJwk, {
        what: 'request object',
        reject,
      }),
    ).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });
});
