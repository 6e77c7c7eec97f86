// Reading and verifying a signed JWT in JWS Compact Serialization (RFC 7515 §7.1, RFC 7519 §7.2): decode
// header and claims with clear errors, apply the FAPI algorithm and key rules (FAPI 2.0 SP §5.4.1), find the
// key with jose and verify the signature (signature-bytes.ts). Claim checks belong to each verifier.

import type { KeyObject } from 'node:crypto';
import {
  base64url,
  type CompactJWSHeaderParameters,
  type CryptoKey,
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { OAuthError } from '../errors.js';
import {
  type AsymmetricKeyInput,
  assertFapiAlg,
  assertFapiKey,
  type FapiProfile,
  type FapiSigningAlg,
} from './algorithms.js';
import { quote, type Reject } from './reject.js';
import { InvalidPublicKey, signatureVerifies, UnusableVerificationKey } from './signature-bytes.js';

/**
 * Where a verifier finds the signer's public key: the key itself, a JWKS (the client's registered `jwks`,
 * the OP's published set), or a resolver such as jose's `createRemoteJWKSet(new URL(jwks_uri))`.
 */
export type VerificationKeySource = CryptoKey | KeyObject | JWK | JSONWebKeySet | JWTVerifyGetKey;

export interface DecodedJws {
  header: CompactJWSHeaderParameters & Record<string, unknown>;
  claims: JWTPayload;
}

const SEGMENT = /^[A-Za-z0-9_-]*$/;

/** Decodes header and claims without verifying anything; throws (through `reject`) if it is not a JWS. */
export function decodeCompactJws(token: unknown, what: string, reject: Reject): DecodedJws {
  // RFC 7515 §7.1: three base64url segments separated by dots.
  if (typeof token !== 'string' || token === '') {
    throw reject({
      description: `${what} is missing`,
      clause: 'RFC 7515 §7.1',
      fix: `send the ${what} as a signed JWT (header.payload.signature)`,
    });
  }
  const parts = token.split('.');
  // RFC 7516 §7.1: five segments is an encrypted JWT, which none of these verifiers accept.
  if (parts.length === 5) {
    throw reject({
      description: `${what} is encrypted (JWE); this party accepts signed JWTs only`,
      clause: 'RFC 7516 §7.1',
      fix: `send the ${what} signed but not encrypted`,
    });
  }
  if (
    parts.length !== 3 ||
    !parts.every((part) => SEGMENT.test(part)) ||
    parts[0] === '' ||
    parts[1] === ''
  ) {
    throw reject({
      description: `${what} is not a JWS in compact serialization`,
      clause: 'RFC 7515 §7.1',
      fix: `send the ${what} as three base64url parts joined by dots (header.payload.signature)`,
    });
  }
  const header = parseJsonSegment(parts[0]!);
  const claims = parseJsonSegment(parts[1]!);
  // RFC 7519 §7.2 steps 3-4 and 10: header and claims set are both JSON objects.
  if (!header || !claims) {
    throw reject({
      description: `${what} has a ${header ? 'payload' : 'header'} that is not a base64url-encoded JSON object`,
      clause: 'RFC 7519 §7.2',
      fix: `encode the JOSE header and the claims as JSON objects`,
    });
  }
  const decoded: DecodedJws = { header: header as DecodedJws['header'], claims: claims as JWTPayload };
  decodedFrom.set(decoded, token);
  return decoded;
}

/** The compact text each decoding came from, so verifyDecodedJws verifies the very token it was given. */
const decodedFrom = new WeakMap<DecodedJws, string>();

/** RFC 7515 §5.2 step 3: the segments are UTF-8; one decoder for every call (it keeps no state between them). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function parseJsonSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(UTF8.decode(base64url.decode(segment)));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface VerifyJwsOptions {
  /** Names the JWT in messages: "DPoP proof", "client assertion", "request object", "JARM response". */
  what: string;
  reject: Reject;
  profile?: FapiProfile;
  /** A narrower list of algorithms than the profile allows. */
  allowedAlgs?: readonly FapiSigningAlg[];
  /** What to tell the sender when the signature does not verify. */
  signatureFix?: string;
}

/**
 * Decodes `token`, checks its `alg` against the FAPI list, resolves the key from `keys`, checks the key's
 * type and size, and verifies the signature. Returns the decoded header and claims; no claim is checked.
 */
export async function verifyCompactJws(
  token: unknown,
  keys: VerificationKeySource,
  options: VerifyJwsOptions,
): Promise<DecodedJws & { alg: FapiSigningAlg }> {
  return verifyDecodedJws(decodeCompactJws(token, options.what, options.reject), keys, options);
}

/**
 * verifyCompactJws for a verifier that has decoded the token already (decodeCompactJws) to read its header
 * first, as a DPoP proof's key is in its header: the token is decoded once, its signature always verified,
 * and the claims returned are the decoding's of the text whose signature was verified.
 */
export async function verifyDecodedJws(
  decoded: DecodedJws,
  keys: VerificationKeySource,
  options: VerifyJwsOptions,
): Promise<DecodedJws & { alg: FapiSigningAlg }> {
  const token = decodedFrom.get(decoded);
  if (token === undefined) throw new TypeError('verifyDecodedJws takes what decodeCompactJws returned');
  const { what, reject } = options;
  const profile = options.profile ?? 'fapi2';
  const alg = decoded.header.alg;
  assertFapiAlg(alg, what, reject, { profile, allowed: options.allowedAlgs });
  const [protectedHeader = '', payload = '', signature = ''] = token.split('.');
  try {
    // RFC 7515 §4.1.11: this verifier understands no extension, so it cannot honour a critical one.
    if (decoded.header.crit !== undefined) {
      throw new errors.JOSENotSupported(
        'the JWS names critical header parameters ("crit"), which are not supported',
      );
    }
    // jose selects the key from a JWKS by kid and alg (RFC 7517 §4.5).
    const key = (await keyResolver(keys)(decoded.header, {
      protected: protectedHeader,
      payload,
      signature,
    })) as AsymmetricKeyInput;
    // FAPI 2.0 SP §5.4.1-2/-3: the key must fit the algorithm and be large enough, before it is used.
    assertFapiKey(key, alg, what, reject, profile);
    // RFC 7515 §5.2 step 8: the signature over the ASCII `header.payload` (signature-bytes.ts says why not jose's).
    if (!signatureVerifies(alg, key, `${protectedHeader}.${payload}`, signature)) {
      throw new errors.JWSSignatureVerificationFailed();
    }
  } catch (err) {
    throw asVerificationError(err, what, decoded.header, options);
  }
  return { ...decoded, alg };
}

/** Turns any key source into the resolver shape jose calls with the protected header. */
export function keyResolver(keys: VerificationKeySource): JWTVerifyGetKey {
  if (typeof keys === 'function') return keys;
  if (isJwks(keys)) return createLocalJWKSet(keys);
  return async () => keys as CryptoKey | KeyObject | JWK;
}

function isJwks(value: unknown): value is JSONWebKeySet {
  return typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys);
}

function asVerificationError(
  err: unknown,
  what: string,
  header: DecodedJws['header'],
  options: VerifyJwsOptions,
): Error {
  if (err instanceof OAuthError) return err;
  const kid = typeof header.kid === 'string' ? ` (kid ${quote(header.kid, 60)})` : '';
  // RFC 7517 §4.5 / FAPI 1.0 Adv §8.11: the verifier selects the key by kid (and alg) from the signer's set.
  if (err instanceof errors.JWKSNoMatchingKey) {
    return options.reject({
      description: `${what}${kid} is signed with a key that is not in the signer's registered key set`,
      clause: 'RFC 7517 §4.5, RFC 7515 §4.1.4',
      fix: "sign with a key published in your JWKS and put that key's kid in the JWS header",
    });
  }
  if (err instanceof errors.JWKSMultipleMatchingKeys) {
    return options.reject({
      description: `${what}${kid} matches more than one key in the signer's key set`,
      clause: 'FAPI 2.0 SP §5.4.3, FAPI 1.0 Adv §8.11',
      fix: 'give every key in your JWKS a distinct kid and put it in the JWS header',
    });
  }
  // RFC 7515 §5.2 step 8: the signature must verify with the signer's key.
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return options.reject({
      description: `${what}${kid} has a signature that does not verify with the signer's key`,
      clause: 'RFC 7515 §5.2',
      fix:
        options.signatureFix ??
        'sign with the private key whose public half the verifier holds, and do not alter the JWT after signing',
    });
  }
  // RFC 7515 §4.1.11: an unknown critical header cannot be processed.
  if (err instanceof errors.JOSENotSupported || err instanceof errors.JWSInvalid) {
    return options.reject({
      description: `${what}${kid} could not be verified: ${err.message}`,
      clause: 'RFC 7515 §5.2',
      fix: 'send a JWS with a supported algorithm, a matching key and no unknown critical headers',
    });
  }
  // A key that may not verify this JWS (its use, key_ops or alg say otherwise, or it is private), or one
  // jose refused while selecting it.
  if (err instanceof UnusableVerificationKey || err instanceof TypeError || err instanceof errors.JOSEError) {
    return options.reject({
      description: `${what}${kid} could not be verified with the signer's key: ${err.message}`,
      clause: 'RFC 7515 §5.2',
      fix: "use a key that matches the JWS 'alg' header",
    });
  }
  // A JWK that is no public key at all (an EC point not on its curve): node's import refuses it.
  if (err instanceof InvalidPublicKey) {
    return options.reject({
      description: `${what}${kid} names a key that is not a valid public key: ${err.message}`,
      clause: 'RFC 7517 §4, RFC 7518 §6',
      fix: 'send the public key of the key pair you sign with, exported unchanged',
    });
  }
  throw err;
}
