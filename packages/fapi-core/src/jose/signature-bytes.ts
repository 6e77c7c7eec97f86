// The last step of verifying a JWS (RFC 7515 §5.2 step 8): does the signature verify over the signing input
// with this key? jose answers it through WebCrypto, where every verification is an asynchronous job handed
// to libuv's thread pool; on bank-api's request path (an access token and a DPoP proof per call) that
// hand-off cost more than the signature itself: 166 against 63 µs of CPU for ES256, 113 against 27 µs for
// PS256 (Node 20; `pnpm bench` measures what it does to the API). So the signature is checked here by
// OpenSSL through node:crypto, synchronously. Nothing else moves: jose still selects the key from a JWKS
// (kid, alg), signature.ts still checks the header and the key against the FAPI rules first.
import { constants, createPublicKey, type JsonWebKey, KeyObject, verify } from 'node:crypto';
import type { CryptoKey, JWK } from 'jose';
import { type AsymmetricKeyInput, type FapiSigningAlg, isCryptoKey } from './algorithms.js';

/** A key that cannot be used to verify this JWS: signature.ts reports it as the sender's mistake. */
export class UnusableVerificationKey extends Error {
  override name = 'UnusableVerificationKey';
}

/** A JWK whose members do not describe a public key (RFC 7517 §4, RFC 7518 §6). */
export class InvalidPublicKey extends Error {
  override name = 'InvalidPublicKey';
}

/** Each key object (a CryptoKey jose imported, a JWK object) made into node's KeyObject once. */
const keyObjects = new WeakMap<object, KeyObject>();

/** `signingInput` is the ASCII `header.payload` of the compact JWS, `signature` its base64url third part. */
export function signatureVerifies(
  alg: FapiSigningAlg,
  key: AsymmetricKeyInput,
  signingInput: string,
  signature: string,
): boolean {
  const publicKey = publicKeyObjectOf(key, alg);
  const data = Buffer.from(signingInput, 'ascii');
  const bytes = Buffer.from(signature, 'base64url');
  switch (alg) {
    // RFC 7518 §3.5: RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a salt as long as the hash (32 octets).
    case 'PS256':
      return verify(
        'sha256',
        data,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        bytes,
      );
    // RFC 7518 §3.4: ECDSA P-256 with SHA-256, the signature R || S of 32 octets each.
    case 'ES256':
      return (
        bytes.length === 64 && verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, bytes)
      );
    // RFC 8037 §3.1 and RFC 9864 §2.2: Ed25519 signs the input itself, no separate hash.
    case 'EdDSA':
    case 'Ed25519':
      return verify(null, data, publicKey, bytes);
  }
}

function publicKeyObjectOf(key: AsymmetricKeyInput, alg: FapiSigningAlg): KeyObject {
  if (key instanceof KeyObject) {
    if (key.type !== 'public')
      throw new UnusableVerificationKey('the key given to verify with is not a public key');
    return key;
  }
  const isJwk = !isCryptoKey(key);
  // Checked at every use, not only the first: the rules depend on the JWS's alg (RFC 7517 §4.2-4.4).
  if (isJwk) assertJwkMayVerify(key as JWK, alg);
  const known = keyObjects.get(key);
  if (known) return known;
  let made: KeyObject;
  if (isJwk) {
    try {
      made = createPublicKey({ key: key as JsonWebKey, format: 'jwk' });
    } catch (err) {
      // An EC point off its curve, a modulus that is not a number: not a public key at all (RFC 7518 §6).
      throw new InvalidPublicKey(err instanceof Error ? err.message : String(err));
    }
  } else {
    const cryptoKey = key as CryptoKey;
    if (cryptoKey.type !== 'public' || !cryptoKey.usages.includes('verify')) {
      throw new UnusableVerificationKey('the key given to verify with is not a public verification key');
    }
    made = KeyObject.from(cryptoKey);
  }
  keyObjects.set(key, made);
  return made;
}

/** RFC 7517 §4.2-4.4: `use`, `key_ops` and `alg` of a JWK restrict what it may do; a private key never verifies. */
function assertJwkMayVerify(jwk: JWK, alg: FapiSigningAlg): void {
  if (jwk.d !== undefined) {
    throw new UnusableVerificationKey(
      'the JWK holds a private key; a verifier is given the public half only',
    );
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    throw new UnusableVerificationKey(`the JWK's "use" is "${String(jwk.use)}", not "sig"`);
  }
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) {
    throw new UnusableVerificationKey('the JWK\'s "key_ops" do not include "verify"');
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw new UnusableVerificationKey(`the JWK is for alg "${String(jwk.alg)}", not "${alg}"`);
  }
}
